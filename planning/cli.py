"""The `plan-tracker` command: manage.py for an installed copy, from any folder.

Settings come from the environment as in a checkout (README, Settings); an
installed copy keeps its SQLite file, collected static files and uploads in
the folder it is run from unless DATABASE_URL, DJANGO_STATIC_ROOT and
DJANGO_MEDIA_ROOT say otherwise.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planning.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
