from django.core.management.base import BaseCommand, CommandError

from tracker.seeding import SeedError, seed_load


class Command(BaseCommand):
    help = (
        "Load the regions, towns, plans, sections, targets and reported progress of the "
        "five source documents in fixtures/. Safe to run again: a second run changes nothing."
    )

    def handle(self, *args, **options) -> None:
        try:
            report = seed_load()
        except SeedError as error:
            raise CommandError(f"seed data not loaded: {error}") from error
        if not report.changed:
            self.stdout.write("Seed data already loaded; nothing changed.")
            return
        for label, counts in (("created", report.created), ("updated", report.updated)):
            if counts:
                summary = ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
                self.stdout.write(f"{label}: {summary}")
