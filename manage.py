#!/usr/bin/env python
"""Django's command-line utility for administrative tasks (installed, it is `plan-tracker`)."""

from planning.cli import main

if __name__ == "__main__":
    main()
