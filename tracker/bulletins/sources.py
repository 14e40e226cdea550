"""The figures of a bulletin: the ranking's (tracker/ranking.py), for the month's day.

The day judged is the month's last day, or today while the month runs
(`judged_on`): asking the ranking API with that day as today gives the same
figures (tested). Every figure is the ranking's, so that a number means the
same in the bulletin, on the 晾晒 page and in the API: completion over every
target (capped at 100, unreported as 0), on pace, red as the 督办 board shows
it, reporting and on-time rates.

The change since last month reads the status history (tracker.snapshots),
which keeps what each target's status, percent and reading were, not what
they would be recomputed today. A snapshot keeps no 督办 warning, so last
month's red is not known, and the bulletin compares the other figures only.
"""

import datetime
from decimal import Decimal

from tracker import ranking
from tracker.access import scope_for
from tracker.bulletins.figures import BulletinFigures, Item, Overall, Unsigned
from tracker.choices import Status
from tracker.models import Plan, Region, StatusSnapshot, Target, Town
from tracker.selectors import TargetRow
from tracker.snapshots import month_end, previous_month


def judged_on(year: int, month: int, today: datetime.date) -> datetime.date:
    return min(month_end(datetime.date(year, month, 1)), today)


def _overall(
    *,
    statuses: list[str],
    percents: list[Decimal | None],
    reported: int,
    red: int | None,
    tally: ranking.Tally | None = None,
) -> Overall:
    tally = tally or ranking.Tally()
    return Overall(
        target_count=len(statuses),
        achieved=sum(1 for status in statuses if status == Status.ACHIEVED),
        on_pace=sum(1 for status in statuses if status in ranking.ON_PACE),
        red=red,
        unreported=len(statuses) - reported,
        completion_rate=ranking.completion_rate(percents),
        reporting_rate=tally.reporting_rate,
        on_time_rate=tally.on_time_rate,
    )


def _previous(target_ids: list[int], month: datetime.date) -> Overall | None:
    """Last month's figures as its snapshots kept them (None where none was kept)."""
    if not target_ids:
        return None
    snapshots = list(
        StatusSnapshot.objects.filter(target__in=target_ids, month=previous_month(month)).only(
            "status", "percent", "as_of"
        )
    )
    if not snapshots:
        return None
    return _overall(
        statuses=[s.status for s in snapshots],
        percents=[s.percent for s in snapshots],
        reported=sum(1 for s in snapshots if s.as_of is not None),
        red=None,
    )


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
    result: ranking.Ranking, *, name: str, is_region: bool, year: int, month: int
) -> BulletinFigures:
    rows, day = result.rows, result.today
    labels = dict(Status.choices)
    red = [row for row in rows if ranking.is_red(row, day)]
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
            why_red="；".join(str(r) for r in ranking.warning(row, day).reasons),
            assigned=row.assignment_id is not None,
        )
        for row in red
    ]
    unsigned = [
        Unsigned(
            title=row.title,
            # A region's bulletin names the town; both name the department, if one signed.
            where=(row.town.name if is_region else "")
            + (row.lead_department.name if row.lead_department else "")
            or row.town.name,
            sign_due=row.sign_due,
        )
        for row in rows
        if ranking.unsigned_late(row, day)
    ]
    return BulletinFigures(
        scope_name=name,
        scope_is_region=is_region,
        year=year,
        month=month,
        judged_on=day,
        overall=_overall(
            statuses=[row.assessment.status for row in rows],
            percents=[row.assessment.percent for row in rows],
            reported=result.reported_count,
            red=len(red),
            tally=ranking.Tally(
                owed=sum(s.owed for s in result.standings),
                submitted=sum(s.submitted for s in result.standings),
                on_time=sum(s.on_time for s in result.standings),
            ),
        ),
        previous=_previous([row.pk for row in rows], datetime.date(year, month, 1)),
        standings=result.standings,
        red_items=red_items,
        unsigned=unsigned,
    )


def region_figures(
    region: Region, year: int, month: int, *, today: datetime.date, user=None
) -> BulletinFigures:
    """A region's bulletin: its towns ranked, over the plans `user` may read."""
    day = judged_on(year, month, today)
    plans = Plan.objects.filter(scope_for(user).readable())
    result = ranking.region_ranking(region, year, day, plans)
    return _figures(result, name=region.name, is_region=True, year=year, month=month)


def town_figures(
    town: Town, year: int, month: int, *, today: datetime.date, user=None
) -> BulletinFigures:
    """A town's bulletin: its departments ranked by the targets they lead."""
    day = judged_on(year, month, today)
    plans = Plan.objects.filter(scope_for(user).readable())
    result = ranking.town_ranking(town, year, day, plans)
    return _figures(result, name=town.name, is_region=False, year=year, month=month)
