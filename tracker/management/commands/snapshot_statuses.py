import datetime

from django.core.management.base import BaseCommand, CommandError

from tracker.snapshots import months_to_keep, snapshot_take
from tracker.today import reporting_today


def parse_month(text: str) -> datetime.date:
    """'2026-11' as the first day of that month; a one-line reason otherwise."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return datetime.date(year, month, 1)
    except ValueError as error:
        raise CommandError(f"--month must be a month like 2026-11, not {text!r}") from error


class Command(BaseCommand):
    help = (
        "Keep the month-end status of every published target (status history). Without "
        "--month: every month from January of last month's year to this month, the running "
        "month provisionally. A month already final is left as it is, so running it again "
        "changes nothing. Meant for cron, e.g. daily at 01:00."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--month", help="One month, YYYY-MM.")

    def handle(self, *args, month: str | None = None, **options) -> None:
        today = reporting_today()
        months = [parse_month(month)] if month else months_to_keep(today)
        for each in months:
            try:
                result = snapshot_take(month=each, today=today)
            except ValueError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                f"{result.month:%Y-%m}: {result.written} taken as on "
                f"{result.judged_on.isoformat()}, {result.kept} already final"
            )
