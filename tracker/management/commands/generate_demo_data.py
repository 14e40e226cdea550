import time

from django.core.management.base import BaseCommand, CommandError

from tracker.demo import DemoRefused, generate


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = (
        "Generate synthetic towns, plans, sections, targets and monthly progress (slugs start "
        "'demo-'), deterministic for a seed. Refuses a database holding real plans unless told."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--towns", type=positive, default=12)
        parser.add_argument("--years", type=positive, default=2)
        parser.add_argument("--targets-per-plan", type=positive, default=50)
        parser.add_argument("--updates-per-target", type=positive, default=6)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--allow-real-data", action="store_true", help="Add demo data beside real plans."
        )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        try:
            counts = generate(
                towns=options["towns"],
                years=options["years"],
                targets_per_plan=options["targets_per_plan"],
                updates_per_target=options["updates_per_target"],
                seed=options["seed"],
                allow_real=options["allow_real_data"],
            )
        except DemoRefused as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"{counts.towns} towns, {counts.plans} plans, {counts.sections} sections, "
            f"{counts.targets} targets, {counts.updates} progress updates in {elapsed:.1f}s"
        )
