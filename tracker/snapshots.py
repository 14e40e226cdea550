"""Month-end status history: each target's standing as it was at the end of each month.

A snapshot is a fact about a past day, so the trend and "change since last
month" never depend on today's rules or on reports entered later:

- The day judged is the month's last day, or today while the month runs (a
  provisional snapshot, retaken on each run until the month is over; then it
  is final and never rewritten).
- The reading is the latest progress update (latest as-of date, then the one
  recorded last, as services.progress_record orders them) that had been
  recorded by the end of the day judged and is dated no later than it.
- Percent and status come from the one rule, tracker.progress.assess, on that
  day with that reading.

Taking the same month again changes nothing once it is final: the command is
safe to run from cron every day.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tracker import freshness, progress
from tracker.choices import PUBLISHED_PLAN_STATUSES
from tracker.models import ProgressUpdate, StatusSnapshot, Target
from tracker.selectors import fact_rows, facts_of


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def previous_month(month: datetime.date) -> datetime.date:
    return month_start(month_start(month) - datetime.timedelta(days=1))


@dataclass(frozen=True)
class SnapshotResult:
    month: datetime.date
    judged_on: datetime.date
    written: int
    kept: int  # final snapshots already there, left as they were


def _readings_by_target(target_ids: list[int], day: datetime.date) -> dict[int, progress.Reading]:
    """The latest update of each target as it stood at the end of `day` (one query)."""
    next_midnight = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )
    readings: dict[int, progress.Reading] = {}
    rows = (
        ProgressUpdate.objects.filter(
            target_id__in=target_ids, as_of__lte=day, reported_at__lt=next_midnight
        )
        .order_by("target_id", "as_of", "id")
        .values_list("target_id", "value", "milestone_done", "as_of")
    )
    for target_id, value, done, as_of in rows:  # ascending: the last one of a target wins
        readings[target_id] = progress.Reading(value=value, done=done, as_of=as_of)
    return readings


@transaction.atomic
def snapshot_take(*, month: datetime.date, today: datetime.date) -> SnapshotResult:
    """Write (or retake, while provisional) the snapshot of every published target for `month`."""
    start = month_start(month)
    if start > today:
        raise ValueError(f"{start:%Y-%m} has not begun (today is {today.isoformat()}).")
    end = month_end(start)
    judged_on = min(end, today)
    final = set(
        StatusSnapshot.objects.filter(month=start, taken_on__gte=end).values_list(
            "target_id", flat=True
        )
    )
    # The rule's columns and the targets' node schedules (selectors.fact_rows), read once.
    targets = [
        row
        for row in fact_rows(
            Target.objects.filter(plan__year=start.year, plan__status__in=PUBLISHED_PLAN_STATUSES)
        )
        if row["pk"] not in final
    ]
    readings = _readings_by_target([row["pk"] for row in targets], judged_on)
    thresholds = progress.configured_thresholds()
    snapshots = []
    for row in targets:
        reading = readings.get(row["pk"])
        assessment = progress.assess(facts_of(row), reading, judged_on, thresholds)
        snapshots.append(
            StatusSnapshot(
                target_id=row["pk"],
                month=start,
                status=assessment.status,
                percent=assessment.percent,
                value=reading.value if reading else None,
                milestone_done=reading.done if reading else None,
                as_of=reading.as_of if reading else None,
                taken_on=judged_on,
            )
        )
    StatusSnapshot.objects.bulk_create(
        snapshots,
        update_conflicts=True,
        unique_fields=["target", "month"],
        update_fields=[
            "status",
            "percent",
            "value",
            "milestone_done",
            "as_of",
            "taken_on",
            "taken_at",
        ],
        batch_size=500,
    )
    freshness.bump()  # bulk_create sends no signal; the overview and bulletins read these
    return SnapshotResult(month=start, judged_on=judged_on, written=len(snapshots), kept=len(final))


def months_to_keep(today: datetime.date) -> list[datetime.date]:
    """What a daily run keeps taken: from January of last month's year to this month.

    On 1 January the past year's December is still finalised.
    """
    month = datetime.date(previous_month(today).year, 1, 1)
    months = []
    while month <= today:
        months.append(month)
        month = month_end(month) + datetime.timedelta(days=1)
    return months


def monthly_counts(target_ids_query, year: int) -> list[tuple[datetime.date, dict[str, int]]]:
    """Each kept month of `year` with its targets' count by status (every status present).

    `target_ids_query` is a queryset of the targets to count (the reader's);
    one query, grouped in the database.
    """
    from django.db.models import Count

    from tracker.choices import Status

    months: dict[datetime.date, dict[str, int]] = {}
    rows = (
        StatusSnapshot.objects.filter(target__in=target_ids_query, month__year=year)
        .values("month", "status")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    for row in rows:
        counts = months.setdefault(row["month"], dict.fromkeys(Status.values, 0))
        counts[row["status"]] = counts.get(row["status"], 0) + row["n"]
    return sorted(months.items())
