from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.bulletins.document import bulletin_document
from tracker.bulletins.sources import region_figures, town_figures
from tracker.management.commands.snapshot_statuses import parse_month
from tracker.models import Region, Town
from tracker.today import reporting_today


class Command(BaseCommand):
    help = (
        "Write the monthly bulletin (X月份重点工作推进情况通报) of a region or a town as .docx, "
        "from the published plans, judged on the month's last day (or today while it runs)."
    )

    def add_arguments(self, parser) -> None:
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--region", help="The region's slug, e.g. zhongshan.")
        scope.add_argument("--town", help="The town's slug.")
        parser.add_argument("--month", required=True, help="YYYY-MM, e.g. 2026-11.")
        parser.add_argument("--out", required=True, help="The .docx file to write.")

    def handle(self, *args, region=None, town=None, month: str, out: str, **options) -> None:
        first = parse_month(month)
        today = reporting_today()
        if first > today:
            raise CommandError(f"{month} has not begun (today is {today.isoformat()}).")
        if region:
            found = Region.objects.filter(slug=region).first()
            if found is None:
                raise CommandError(f"No region with the slug {region!r}.")
            figures = region_figures(found, first.year, first.month, today=today)
        else:
            found = Town.objects.filter(slug=town).first()
            if found is None:
                raise CommandError(f"No town with the slug {town!r}.")
            figures = town_figures(found, first.year, first.month, today=today)
        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(f"The folder {path.parent} does not exist.")
        path.write_bytes(bulletin_document(figures))
        self.stdout.write(
            f"{path}: {figures.scope_name} {first:%Y-%m}, {figures.overall.target_count} targets, "
            f"judged on {figures.judged_on.isoformat()}"
        )
