from django.core.management.base import BaseCommand, CommandError

from tracker.choices import Frequency, PlanStatus
from tracker.models import Plan
from tracker.workflow import periods_generate


class Command(BaseCommand):
    help = (
        "Fill in the reporting periods of a plan (--plan ID, or --town SLUG --year YYYY) or of "
        "every active plan (--active): monthly by default, or quarterly, each due --due-days "
        "after it ends. Periods that exist are kept; running it twice adds nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--plan", type=int, help="The plan's id.")
        parser.add_argument("--town", help="The town's slug (with --year).")
        parser.add_argument("--year", type=int, help="The plan's year (with --town).")
        parser.add_argument("--active", action="store_true", help="Every active plan.")
        parser.add_argument(
            "--frequency", choices=Frequency.values, default=Frequency.MONTHLY, help="monthly"
        )
        parser.add_argument(
            "--due-days", type=int, default=5, help="Days after a period ends that it is due (5)."
        )

    def handle(self, *args, plan=None, town=None, year=None, active=False, **options) -> None:
        if options["due_days"] < 0:
            raise CommandError("--due-days cannot be negative")
        if active:
            plans = Plan.objects.filter(status=PlanStatus.ACTIVE)
        elif plan is not None:
            plans = Plan.objects.filter(pk=plan)
        elif town and year:
            plans = Plan.objects.filter(town__slug=town, year=year)
        else:
            raise CommandError("Say which plans: --plan ID, --town SLUG --year YYYY, or --active")
        plans = list(plans.select_related("town"))
        if not plans:
            raise CommandError("No such plan.")
        for each in plans:
            before = each.periods.count()
            periods = periods_generate(
                plan=each, frequency=options["frequency"], due_days=options["due_days"]
            )
            self.stdout.write(
                f"{each.town.slug} {each.year}: {len(periods) - before} period(s) added, "
                f"{len(periods)} in all"
            )
