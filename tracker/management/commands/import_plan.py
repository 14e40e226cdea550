"""Store a plan document and the sections and targets it proposes, as a draft for review.

Creates no live section or target: a staff member accepts or rejects each
candidate in the admin, at the path this command prints.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from tracker.extraction.decoding import MAX_BYTES
from tracker.importing import plan_import_create
from tracker.models import Decision, Town


class Command(BaseCommand):
    help = (
        "Import a work-plan document (Word .docx, PDF with a text layer, or plain text, Markdown "
        "or HTML in UTF-8 or GB18030; at most 10 MB) for a town and year: store it (a .docx or "
        "PDF also as the original file) with the section and target candidates the "
        "extractor finds, for review in the admin. Never creates targets by itself; running it "
        "again with the same document, town and year changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="path of the document to import")
        parser.add_argument("--town", required=True, help="slug of the town the plan is for")
        parser.add_argument("--year", required=True, type=int, help="the plan year, e.g. 2026")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        town = Town.objects.filter(slug=options["town"]).first()
        if town is None:
            raise CommandError(f"no town with the slug {options['town']!r}")
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                # Refused before it is read into memory; the extractor says the same.
                raise CommandError(
                    f"{path.name}: document too large: {size:,} bytes, "
                    f"the limit is {MAX_BYTES:,} bytes (10 MB)"
                )
            data = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"no such file: {path}") from None
        except IsADirectoryError:
            raise CommandError(f"is a directory, not a document: {path}") from None
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror or error}") from None
        try:
            plan_import = plan_import_create(
                data=data, filename=path.name, town=town, year=options["year"]
            )
        except ValidationError as error:
            raise CommandError(f"{path.name}: {' '.join(error.messages)}") from None

        targets = plan_import.target_candidates.all()
        pending = targets.filter(decision=Decision.PENDING).count()
        done = "imported" if plan_import.created else "already imported"
        self.stdout.write(
            f"{path.name}: {done} for {town.slug} "
            f"{plan_import.year}: {plan_import.section_candidates.count()} section candidates, "
            f"{targets.count()} target candidates ({pending} to review); no targets created"
        )
        self.stdout.write(
            f"review: {reverse('admin:tracker_planimport_change', args=[plan_import.pk])}"
        )
