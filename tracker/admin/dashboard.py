"""The admin's landing page: what the signed-in user's towns need today.

Nothing here decides a status, a warning or what is owed: targets are read as
the one read model (`selectors.target_rows`: assessment and 督办 warning),
owed reports come from tracker.workflow (`cycle_for`), the 督办 warning of a
target from tracker.ranking (the same as on the 督办 page), "today" from
tracker.today, and every set of rows from tracker.access. This module only
counts and picks what to show first.

Queries: memberships (1), the rows (5, 7 once a period has started), the
reporting cycle for what is owed (3), the ids of the targets the user reports
on (1), the reports waiting for their review (2: count, first rows). Fixed,
whatever the number of targets.
"""

import datetime
from dataclasses import dataclass, field

from django.urls import reverse

from tracker import ranking
from tracker.access import Action, rule, scope_for
from tracker.choices import PlanStatus, ReportState, WarningLevel
from tracker.models import ProgressReport, Target
from tracker.selectors import TargetRow, TownRef, target_rows
from tracker.today import reporting_today
from tracker.workflow import Chase, Flag, cycle_for

SHOWN = 8  # rows of each list on the page; the full lists are a link away


@dataclass
class TownFigures:
    town: TownRef
    targets: int = 0
    red: int = 0
    yellow: int = 0
    unreported: int = 0  # targets with a report overdue (逾期未报)
    list_url: str = ""


@dataclass(frozen=True)
class RedTarget:
    target: TargetRow
    flag: Flag
    url: str


@dataclass(frozen=True)
class Due:
    """A target the user reports on that owes reports: the oldest one owed, and how many."""

    chase: Chase
    periods: int


@dataclass
class Overview:
    today: datetime.date
    towns: list[TownFigures] = field(default_factory=list)
    due: list[Due] = field(default_factory=list)  # the user's to write, oldest first
    due_count: int = 0  # targets the user reports on that owe a report
    overdue_count: int = 0
    waiting: list[ProgressReport] = field(default_factory=list)  # for the user to review
    waiting_count: int = 0
    reviews: bool = False
    reports: bool = False
    red: list[RedTarget] = field(default_factory=list)
    red_count: int = 0


def overview_for(user, today: datetime.date | None = None) -> Overview:
    """The landing page's figures for `user` (see the module doc for the rules' sources)."""
    today = today or reporting_today()
    scope = scope_for(user)
    overview = Overview(
        today=today, reviews=scope.reviews_anywhere(), reports=scope.reports_anywhere()
    )
    targets = target_rows(
        Target.objects.filter(
            rule(user, Action.STAFF, Target), plan__status=PlanStatus.ACTIVE
        ).order_by("plan__town__name", "plan_id", "section_id", "position", "pk"),
        today,
    )
    cycle = cycle_for(targets, today)
    reportable = (
        set(
            Target.objects.filter(rule(user, Action.REPORT, Target), pk__in=[t.pk for t in targets])
            .order_by()
            .values_list("pk", flat=True)
        )
        if overview.reports and targets
        else set()
    )
    towns: dict[int, TownFigures] = {}
    changelist = reverse("admin:tracker_target_changelist")
    for target in targets:
        figures = towns.setdefault(
            target.town.id,
            TownFigures(town=target.town, list_url=f"{changelist}?town={target.town.id}"),
        )
        figures.targets += 1
        # As on the 督办 page and in the ranking: a plan not yet in its reporting cycle
        # is judged on pace alone.
        flag = ranking.warning(target, today)
        owed = cycle.owed(target)
        if any(chase.overdue for chase in owed):
            figures.unreported += 1
        if flag.level == WarningLevel.RED:
            figures.red += 1
            overview.red_count += 1
            if len(overview.red) < SHOWN:
                url = reverse("admin:tracker_target_change", args=[target.pk])
                overview.red.append(RedTarget(target=target, flag=flag, url=url))
        elif flag.level == WarningLevel.YELLOW:
            figures.yellow += 1
        if target.pk in reportable and owed:
            overview.due.append(Due(chase=owed[0], periods=len(owed)))
            overview.due_count += 1
            overview.overdue_count += owed[0].overdue
    overview.due.sort(key=lambda due: (due.chase.period.due_on, due.chase.target.pk))
    overview.due = overview.due[:SHOWN]
    overview.towns = sorted(towns.values(), key=lambda figures: figures.town.name)
    if overview.reviews:
        waiting = ProgressReport.objects.filter(
            rule(user, Action.REVIEW, ProgressReport), state=ReportState.SUBMITTED
        )
        overview.waiting_count = waiting.count()
        overview.waiting = list(
            waiting.select_related("target__plan__town", "period", "department").order_by(
                "period__due_on", "submitted_at", "pk"
            )[:SHOWN]
        )
    return overview
