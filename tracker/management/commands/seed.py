from django.core.management.base import BaseCommand, CommandError

from tracker import demo_layer
from tracker.seeding import SeedError, seed_load


class Command(BaseCommand):
    help = (
        "Load the regions, towns, plans, sections, targets and reported progress of the "
        "five source documents in fixtures/. Safe to run again: a second run changes nothing. "
        "--demo also adds the demo layer (departments, users, periods and a year of reports, "
        "as on 1 December 2026; see tracker/demo_layer.py) and prints its logins; "
        "--remove-demo removes the demo layer, and only it."
    )

    def add_arguments(self, parser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--demo", action="store_true", help="Add the demo layer beside the seed."
        )
        group.add_argument(
            "--remove-demo", action="store_true", help="Remove the demo layer, and nothing else."
        )

    def handle(self, *args, demo: bool = False, remove_demo: bool = False, **options) -> None:
        if remove_demo:
            removed = demo_layer.demo_remove()
            if not removed.changed:
                self.stdout.write("No demo data; nothing removed.")
            else:
                self.stdout.write(f"Demo data removed: {_counts(removed.created)}")
            return
        try:
            report = seed_load()
        except SeedError as error:
            raise CommandError(f"seed data not loaded: {error}") from error
        if not report.changed:
            self.stdout.write("Seed data already loaded; nothing changed.")
        for label, counts in (("created", report.created), ("updated", report.updated)):
            if counts:
                self.stdout.write(f"{label}: {_counts(counts)}")
        if demo:
            added = demo_layer.demo_add()
            if added.changed:
                self.stdout.write(f"Demo data added: {_counts(added.created)}")
            else:
                self.stdout.write("Demo data already there; nothing changed.")
            self.stdout.write(
                f"Demo logins (password {demo_layer.DEMO_PASSWORD!r} for each; "
                f"the story is told as on {demo_layer.DEMO_DAY}, run with "
                f"TRACKER_TODAY={demo_layer.DEMO_DAY}):"
            )
            for username, label in demo_layer.demo_logins():
                self.stdout.write(f"  {username:<22} {label}")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
