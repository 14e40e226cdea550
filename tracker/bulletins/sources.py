"""The figures of a bulletin, from the same reads as the ranking and rollup API.

The day judged is the month's last day, or today while the month runs
(`judged_on`): asking the API with that day as today gives the same figures
(tested). The change since last month reads the status history
(tracker.snapshots), which keeps what the statuses were, not what they would
be recomputed today.

Interim: until the ranking module (issue 12) is in main, standings are built
here from the rollup's own reads (tracker.selectors.target_rows, the one read
model, and its status counts and mean percent); reporting rates are then unknown and
the bulletin says nothing of them. Wiring to the ranking module replaces
`_standings` and fills the rates; figures.py and document.py stay as they are.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tracker import progress
from tracker.access import scope_for
from tracker.bulletins.figures import BulletinFigures, Item, Overall, Standing
from tracker.choices import Status
from tracker.models import Plan, Region, StatusSnapshot, Target, Town
from tracker.selectors import TargetRow, mean_percent, status_counts, target_rows
from tracker.snapshots import month_end, previous_month

# Red in a 督查 office's sense: behind, and overdue once that status exists (issue 12).
RED = tuple(s for s in (Status.BEHIND, getattr(Status, "OVERDUE", None)) if s)
UNREPORTED = tuple(s for s in (Status.NO_DATA, getattr(Status, "OVERDUE", None)) if s)
ON_PACE = (Status.ACHIEVED, Status.ON_TRACK)


def judged_on(year: int, month: int, today: datetime.date) -> datetime.date:
    return min(month_end(datetime.date(year, month, 1)), today)


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * progress.HUNDRED / Decimal(whole)).quantize(progress.CENT)


def _overall(statuses: list[str], percents: Iterable) -> Overall:
    counts = dict.fromkeys(Status.values, 0)
    for status in statuses:
        counts[status] += 1
    return Overall(
        target_count=len(statuses),
        achieved=counts[Status.ACHIEVED],
        on_pace=sum(counts[s] for s in ON_PACE),
        red=sum(counts[s] for s in RED),
        unreported=sum(counts[s] for s in UNREPORTED),
        completion_rate=mean_percent(percents),
    )


def _standings(
    groups: dict[str, list[progress.Assessment]], slugs: dict[str, str]
) -> list[Standing]:
    """Ranked on results: completion, then the share on pace; equal figures share a rank."""
    rows = []
    for name, assessments in groups.items():
        counts = status_counts(assessments)
        total = len(assessments)
        rows.append(
            Standing(
                rank=None,
                name=name,
                target_count=total,
                reported_count=total - sum(counts[s] for s in UNREPORTED),
                completion_rate=mean_percent(assessments),
                on_pace_share=_share(sum(counts[s] for s in ON_PACE), total),
                red_count=sum(counts[s] for s in RED),
                slug=slugs.get(name, ""),
            )
        )

    def key(row: Standing) -> tuple:
        return (-(row.completion_rate or 0), -(row.on_pace_share or 0), row.red_count)

    rows.sort(key=lambda r: (r.target_count == 0, key(r), r.name))
    ranked, previous, rank = [], None, 0
    for position, row in enumerate(rows, start=1):
        if row.target_count == 0:
            ranked.append(row)
            continue
        if key(row) != previous:
            rank, previous = position, key(row)
        ranked.append(Standing(**{**row.__dict__, "rank": rank}))
    return ranked


def _previous(target_ids: list[int], month: datetime.date) -> Overall | None:
    if not target_ids:
        return None
    snapshots = list(
        StatusSnapshot.objects.filter(target__in=target_ids, month=previous_month(month)).only(
            "status", "percent"
        )
    )
    if not snapshots:
        return None
    return _overall([s.status for s in snapshots], snapshots)


def _reasons(rows: list[TargetRow]) -> dict[int, str]:
    """The note of each red row's latest report: the reason given (one query)."""
    if not rows:
        return {}
    return dict(
        Target.objects.filter(pk__in=[row.pk for row in rows]).values_list(
            "pk", "latest_update__note"
        )
    )


def _figures(
    *, name: str, is_region: bool, year: int, month: int, day: datetime.date,
    plans: QuerySet[Plan], group_of,
) -> BulletinFigures:  # fmt: skip
    rows = target_rows(
        Target.objects.filter(plan__in=plans).order_by(
            "plan__town__name", "section_id", "position", "pk"
        ),
        day,
    )
    groups: dict[str, list[progress.Assessment]] = defaultdict(list)
    slugs: dict[str, str] = {}
    for row in rows:
        groups[group_of(row)].append(row.assessment)
        if is_region:
            slugs[row.town.name] = row.town.slug
    labels = dict(Status.choices)
    red = [row for row in rows if row.assessment.status in RED]
    reasons = _reasons(red)
    red_items = [
        Item(
            title=row.title,
            where=row.town.name,
            lead_unit=row.lead_department.name if row.lead_department else "",
            owner=row.owner,  # 责任人, where the target names one
            status=str(labels[row.assessment.status]),
            percent=row.assessment.percent,
            reason=(reasons.get(row.pk) or "").strip(),
            as_of=row.as_of,
        )
        for row in red
    ]
    return BulletinFigures(
        scope_name=name,
        scope_is_region=is_region,
        year=year,
        month=month,
        judged_on=day,
        overall=_overall([r.assessment.status for r in rows], [r.assessment for r in rows]),
        previous=_previous([row.pk for row in rows], datetime.date(year, month, 1)),
        standings=_standings(groups, slugs),
        red_items=red_items,
    )


def region_figures(
    region: Region, year: int, month: int, *, today: datetime.date, user=None
) -> BulletinFigures:
    """A region's bulletin: its towns ranked, over the plans `user` may read."""
    day = judged_on(year, month, today)
    towns = list(Town.objects.filter(region__path__startswith=region.path).order_by("name"))
    plans = Plan.objects.filter(scope_for(user).readable(), year=year, town__in=towns)
    figures = _figures(
        name=region.name, is_region=True, year=year, month=month, day=day, plans=plans,
        group_of=lambda row: row.town.name,
    )  # fmt: skip
    named = {s.name for s in figures.standings}
    empty = [
        Standing(None, t.name, 0, 0, None, None, 0, slug=t.slug)
        for t in towns
        if t.name not in named
    ]
    return BulletinFigures(**{**figures.__dict__, "standings": figures.standings + empty})


def town_figures(
    town: Town, year: int, month: int, *, today: datetime.date, user=None
) -> BulletinFigures:
    """A town's bulletin: its departments ranked by the targets they lead."""
    day = judged_on(year, month, today)
    plans = Plan.objects.filter(scope_for(user).readable(), year=year, town=town)
    none = _("No lead department set")
    return _figures(
        name=town.name, is_region=False, year=year, month=month, day=day, plans=plans,
        group_of=lambda row: row.lead_department.name if row.lead_department else none,
    )  # fmt: skip
