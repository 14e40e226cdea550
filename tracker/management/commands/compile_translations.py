"""Compile the project's .po files into .mo files with polib: no gettext tools needed."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


def compile_translations(locale_dirs=None) -> list[Path]:
    """Write each stale .mo beside its .po; return the .mo files written.

    Fuzzy and untranslated entries are left out, as msgfmt does.
    """
    written = []
    for locale_dir in locale_dirs or settings.LOCALE_PATHS:
        for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            written.append(mo_path)
    return written


class Command(BaseCommand):
    help = (
        "Compile locale/*/LC_MESSAGES/*.po into .mo files (pure Python, via polib). "
        "Run by `make install`; the .mo files are build output and not committed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Compile every .po, even if its .mo is newer."
        )

    def handle(self, *args, force=False, **options):
        if force:
            for locale_dir in settings.LOCALE_PATHS:
                for mo_path in Path(locale_dir).glob("*/LC_MESSAGES/*.mo"):
                    mo_path.unlink()
        written = compile_translations()
        for mo_path in written:
            self.stdout.write(f"compiled {mo_path.relative_to(settings.BASE_DIR)}")
        if not written:
            self.stdout.write("translations up to date")
