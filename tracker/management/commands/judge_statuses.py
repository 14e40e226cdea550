from django.core.management.base import BaseCommand

from tracker.models import Target
from tracker.statuses import judge_stale
from tracker.today import reporting_today


class Command(BaseCommand):
    help = (
        "Judge today's status of every target whose kept status is stale (a new day, a new "
        "release or thresholds, an input changed), so that summaries and rollups count them "
        "in one query (tracker/statuses.py). Reads judge stale ones themselves; this does "
        "it before they ask. Running it again changes nothing. Meant for cron, daily just "
        "after midnight."
    )

    def handle(self, *args, **options) -> None:
        today = reporting_today()
        judged = judge_stale(Target.objects.all(), today)
        self.stdout.write(f"{judged} statuses judged as on {today.isoformat()}")
