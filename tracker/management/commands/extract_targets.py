"""Print the candidate targets the extractor reads from a plan document.

Read-only: nothing is written to the database. Useful to check a document
before seeding it or entering its targets by hand.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.extraction import JSON_KEYS, ExtractionError, extract

_TABLE_COLUMNS = ("kind", "value", "unit", "comparison", "metric", "section", "quote")


class Command(BaseCommand):
    help = (
        "Read a work-plan document (Word .docx, PDF with a text layer, or plain text, Markdown "
        "or HTML in UTF-8 or GB18030) and print "
        "the candidate targets, milestones, progress figures and past facts found in it, "
        "without touching the database. --format json prints a list of objects with the keys "
        + ", ".join(JSON_KEYS)
        + "; start/end are character offsets of the quote in the decoded document."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="path of the document to read")
        parser.add_argument(
            "--format",
            choices=("json", "table"),
            default="table",
            help="json: machine-readable list; table: one line per candidate (default)",
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"no such file: {path}") from None
        except IsADirectoryError:
            raise CommandError(f"is a directory, not a document: {path}") from None
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror or error}") from None
        try:
            result = extract(data, filename=path.name)
        except ExtractionError as error:
            raise CommandError(f"{path.name}: {error}") from None

        if options["format"] == "json":
            payload = [candidate.to_json() for candidate in result.candidates]
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        if not result.candidates:
            self.stdout.write(f"{path.name}: no candidates (no quantities or milestones found)")
            return
        rows = [_TABLE_COLUMNS]
        for c in result.candidates:
            value = c.to_json()["value"] or ""
            if c.value_max is not None:
                value = f"{value}–{c.to_json()['value_max']}"
            flags = "".join(flag for flag, on in (("↑", c.growth), ("*", c.stretch)) if on)
            rows.append(
                (
                    c.kind,
                    value + flags,
                    c.unit,
                    c.comparison or "",
                    _short(c.metric, 16),
                    _short(c.section, 18),
                    _short(" ".join(c.quote.split()), 40),
                )
            )
        widths = [max(_width(row[i]) for row in rows) for i in range(len(_TABLE_COLUMNS))]
        for row in rows:
            cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)]
            self.stdout.write("  ".join(cells).rstrip())
        self.stdout.write(f"{len(result.candidates)} candidates; ↑ growth rate, * stretch (力争)")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
