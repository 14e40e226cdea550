"""Reads that compute across many targets: status filters, plan summaries."""

import datetime
from collections.abc import Iterable

from django.db.models import QuerySet

from tracker import progress
from tracker.models import Target
from tracker.models.targets import configured_thresholds

FACT_FIELDS = (
    "pk",
    "kind",
    "comparison",
    "value",
    "value_max",
    "is_growth",
    "deadline",
    "plan__year",
    "latest_update__value",
    "latest_update__milestone_done",
    "latest_update__as_of",
)


def assess_rows(rows: Iterable[dict], today: datetime.date) -> dict[int, progress.Assessment]:
    """Assess targets from `.values(*FACT_FIELDS)` rows, without loading model instances."""
    thresholds = configured_thresholds()
    result = {}
    for row in rows:
        starts_on = datetime.date(row["plan__year"], 1, 1)
        facts = progress.TargetFacts(
            kind=row["kind"],
            comparison=row["comparison"],
            value=row["value"],
            value_max=row["value_max"],
            is_growth=row["is_growth"],
            starts_on=starts_on,
            due_on=row["deadline"] or datetime.date(row["plan__year"], 12, 31),
        )
        reading = None
        if row["latest_update__as_of"] is not None:
            reading = progress.Reading(
                value=row["latest_update__value"],
                done=row["latest_update__milestone_done"],
                as_of=row["latest_update__as_of"],
            )
        result[row["pk"]] = progress.assess(facts, reading, today, thresholds)
    return result


def target_ids_with_status(
    targets: QuerySet[Target], status: str, today: datetime.date
) -> list[int]:
    """The ids of the targets in `targets` whose status is `status` on `today`.

    Status depends on the day, so it is computed, not stored; one query reads
    just the columns the rule needs.
    """
    rows = targets.order_by().values(*FACT_FIELDS)
    return [
        pk for pk, assessment in assess_rows(rows, today).items() if assessment.status == status
    ]
