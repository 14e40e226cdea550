"""晾晒: towns of a region, or departments of a town, side by side and ranked.

Reads only (selectors); the API (`/api/regions/{id}/ranking/`,
`/api/towns/{id}/ranking/`), the ranking pages and their XLSX download all
show `Ranking`s built here, so a figure is the same wherever it appears.

Figures of a unit (a town's plan for the year, or the targets a department leads):

- completion_rate: the mean percent complete over *every* target, each capped
  at 100, an unreported target counting 0 (so a plan with one good report out
  of 41 does not read 62.5%). Shown with its coverage: reported / targets
  ("已填报 12/41").
- on_pace_share: the share of targets achieved or on track.
- assigned_count, unsigned_late_count: receipts of tasks assigned to the unit
  (交办), and how many of them are still not signed for after their sign-by
  date (yellow on the 督办 board). Receipts are targets of the unit's plan, so
  every other figure counts them too.
- red_count: targets showing red: their 督办 warning where the plan's
  reporting runs (an overdue report, or behind), else their status
  (behind, overdue, unmet) and a milestone's steps passed undone, as the
  督办 page judges them (tracker.workflow.warning_of).
- reporting_rate (填报率): of the reports owed — one per target with a lead
  department per period whose due date has passed (or the one period asked
  for) — the share that came: submitted or approved, or a progress update
  dated in the period. on_time_rate (及时率): the share that came by the due
  date. turnaround_days: the mean days from submission to approval.
  Rates are percentages with two places; None where nothing was owed.

Rank: by completion_rate, then on_pace_share, then reporting_rate (higher
first); equal figures share a rank (1, 1, 3). Ranking is on results and
reporting only, never on how often anyone uses the application. Units
without a plan (or without targets) are listed last, unranked.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker import progress
from tracker.choices import ReceiptState, ReportState, Status, WarningLevel
from tracker.models import (
    Department,
    Plan,
    ProgressReport,
    ProgressUpdate,
    Region,
    ReportingPeriod,
    Target,
    Town,
)
from tracker.selectors import TargetRow, target_rows
from tracker.workflow import COUNTED, Flag, owes_period, receipt_state, warning_of

ON_PACE = frozenset({Status.ACHIEVED, Status.ON_TRACK})
BY_DEPARTMENT, BY_LEADER = "department", "leader"  # a town's units in its ranking
SORTS = (
    "rank",
    "completion_rate",
    "on_pace_share",
    "red_count",
    "reporting_rate",
    "on_time_rate",
    "turnaround_days",
    "name",
)


def _rate(part: int | Decimal, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * progress.HUNDRED / whole).quantize(progress.CENT)


def warning(row: TargetRow, today: datetime.date) -> Flag:
    """Its 督办 warning where its plan's reporting runs, else by its status and missed steps."""
    return row.warning or warning_of(row.assessment, today, row)


def unsigned_late(row: TargetRow, today: datetime.date) -> bool:
    """A receipt of an assigned task still not signed for after its sign-by date."""
    return receipt_state(row, today) == ReceiptState.LATE


def is_red(row: TargetRow, today: datetime.date) -> bool:
    """Red on the 督办 board (`warning`)."""
    return warning(row, today).level == WarningLevel.RED


@dataclass
class Tally:
    """Reports owed, come and come on time, for one unit."""

    owed: int = 0
    submitted: int = 0
    on_time: int = 0
    turnarounds: list[Decimal] = field(default_factory=list)

    @property
    def reporting_rate(self) -> Decimal | None:
        return _rate(self.submitted, self.owed)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _rate(self.on_time, self.owed)

    @property
    def turnaround_days(self) -> Decimal | None:
        if not self.turnarounds:
            return None
        return (sum(self.turnarounds) / len(self.turnarounds)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class RedTarget:
    pk: int
    title: str
    status: str
    reasons: tuple[str, ...] = ()  # its 督办 warning's (`warning`)
    assigned: bool = False  # a receipt of an assigned task (交办)


@dataclass
class Standing:
    """One town (or department) in a ranking."""

    pk: int
    slug: str  # a town's slug; "" for a department
    name: str
    plan_id: int | None
    target_count: int = 0
    reported_count: int = 0
    completion_rate: Decimal | None = None
    on_pace_share: Decimal | None = None
    red_count: int = 0
    # Receipts of assigned tasks (交办): how many, and how many are not signed for in time.
    assigned_count: int = 0
    unsigned_late_count: int = 0
    tally: Tally = field(default_factory=Tally)
    red_targets: list[RedTarget] = field(default_factory=list)
    rank: int | None = None

    @property
    def reporting_rate(self) -> Decimal | None:
        return self.tally.reporting_rate

    @property
    def on_time_rate(self) -> Decimal | None:
        return self.tally.on_time_rate

    @property
    def turnaround_days(self) -> Decimal | None:
        return self.tally.turnaround_days

    @property
    def owed(self) -> int:
        return self.tally.owed

    @property
    def submitted(self) -> int:
        return self.tally.submitted

    @property
    def on_time(self) -> int:
        return self.tally.on_time


@dataclass
class Ranking:
    """A ranking of towns (of a region) or of departments (of a town) for a year."""

    year: int
    today: datetime.date
    period: ReportingPeriod | None
    standings: list[Standing]
    region: Region | None = None
    town: Town | None = None
    # The rows ranked, judged on `today` (the bulletin names its red items from them).
    rows: list[TargetRow] = field(default_factory=list, repr=False)
    by: str = BY_DEPARTMENT  # a town's units: departments, or leaders in charge (BY_LEADER)

    @property
    def target_count(self) -> int:
        return sum(s.target_count for s in self.standings)

    @property
    def reported_count(self) -> int:
        return sum(s.reported_count for s in self.standings)


def completion_rate(percents: list[Decimal | None]) -> Decimal | None:
    """The mean percent complete over every target, each capped at 100, unreported as 0."""
    if not percents:
        return None
    capped = sum(min(percent or Decimal(0), progress.HUNDRED) for percent in percents)
    return (capped / len(percents)).quantize(progress.CENT)


def unit_figures(standing: Standing, rows: list[TargetRow], today: datetime.date) -> None:
    """Fill a unit's figures (the module's docstring) from its rows judged on `today`."""
    standing.target_count = len(rows)
    if not rows:
        return
    standing.reported_count = sum(1 for row in rows if row.latest is not None)
    standing.completion_rate = completion_rate([row.assessment.percent for row in rows])
    standing.on_pace_share = _rate(
        sum(1 for row in rows if row.assessment.status in ON_PACE), len(rows)
    )
    red = [row for row in rows if is_red(row, today)]
    standing.red_count = len(red)
    standing.red_targets = [
        RedTarget(
            row.pk,
            row.title,
            row.assessment.status,
            tuple(str(reason) for reason in warning(row, today).reasons),
            row.assignment_id is not None,
        )
        for row in red
    ]
    assigned = [row for row in rows if row.assignment_id is not None]
    standing.assigned_count = len(assigned)
    standing.unsigned_late_count = sum(1 for row in assigned if unsigned_late(row, today))


def _rank(standings: list[Standing]) -> list[Standing]:
    def key(s: Standing):
        return tuple(
            -(value if value is not None else Decimal(-1))
            for value in (s.completion_rate, s.on_pace_share, s.reporting_rate)
        )

    ranked = sorted((s for s in standings if s.target_count), key=lambda s: (key(s), s.name))
    previous = None
    for position, standing in enumerate(ranked, start=1):
        standing.rank = previous.rank if previous and key(previous) == key(standing) else position
        previous = standing
    unranked = sorted((s for s in standings if not s.target_count), key=lambda s: s.name)
    return ranked + unranked


def _local_day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment else None


def reporting_tallies(
    rows: Iterable[TargetRow],
    today: datetime.date,
    key,
    period_start: datetime.date | None = None,
) -> dict:
    """Reports owed, come and on time, per `key(row)` (three queries; none without periods).

    A report is owed for each target with a lead department and each period of
    its plan whose due date has passed by `today` (only the period starting on
    `period_start` when given).
    """
    rows = [row for row in rows if row.lead_department is not None]
    tallies: dict = {}
    if not rows:
        return tallies
    periods = ReportingPeriod.objects.filter(
        plan_id__in={row.plan_id for row in rows}, due_on__lt=today
    ).order_by("plan_id", "starts_on")
    if period_start is not None:
        periods = periods.filter(starts_on=period_start)
    by_plan: dict[int, list[ReportingPeriod]] = {}
    for period in periods:
        by_plan.setdefault(period.plan_id, []).append(period)
    if not by_plan:
        return tallies
    all_periods = [p for plan_periods in by_plan.values() for p in plan_periods]
    target_ids = [row.pk for row in rows]
    reports = {
        (target_id, period_id): (state, submitted_at, reviewed_at)
        for target_id, period_id, state, submitted_at, reviewed_at in ProgressReport.objects.filter(
            target_id__in=target_ids, period__in=all_periods
        )
        .order_by()
        .values_list("target_id", "period_id", "state", "submitted_at", "reviewed_at")
    }
    # Progress recorded directly (the seed, a town without review, a reviewer's own
    # entry) settles the period its as-of date falls in: (as of, recorded on).
    recorded: dict[int, list[tuple[datetime.date, datetime.date]]] = {}
    for target_id, as_of, reported_at in (
        ProgressUpdate.objects.filter(
            target_id__in=target_ids,
            as_of__gte=min(p.starts_on for p in all_periods),
            as_of__lte=max(p.ends_on for p in all_periods),
            report__isnull=True,
        )
        .order_by()
        .values_list("target_id", "as_of", "reported_at")
    ):
        recorded.setdefault(target_id, []).append((as_of, _local_day(reported_at)))
    for row in rows:
        tally = tallies.setdefault(key(row), Tally())
        for period in by_plan.get(row.plan_id, []):
            if not owes_period(row, period):
                continue
            tally.owed += 1
            came_on: datetime.date | None = None
            report = reports.get((row.pk, period.pk))
            if report is not None and report[0] in COUNTED:
                came_on = _local_day(report[1])
                if report[0] == ReportState.APPROVED and report[1] and report[2]:
                    seconds = (report[2] - report[1]).total_seconds()
                    tally.turnarounds.append(Decimal(str(seconds)) / 86400)
            else:
                days = [
                    on
                    for as_of, on in recorded.get(row.pk, [])
                    if period.starts_on <= as_of <= period.ends_on
                ]
                came_on = min(days) if days else None
            if came_on is not None:
                tally.submitted += 1
                if came_on <= period.due_on:
                    tally.on_time += 1
    return tallies


def _period(period_id: int | None, plans: Iterable[Plan]) -> ReportingPeriod | None:
    if period_id is None:
        return None
    return ReportingPeriod.objects.filter(pk=period_id, plan__in=list(plans)).first()


def region_ranking(
    region: Region,
    year: int,
    today: datetime.date,
    plans: QuerySet[Plan],
    period_id: int | None = None,
) -> Ranking:
    """The towns below `region`, ranked on their plans for `year`.

    `plans` is what the reader may read (tracker.access): a plan they may not
    read is not counted, and its town shows without figures. With `period_id`
    (a period of one of those plans), the reporting rates are of the periods
    that start on the same day in every plan.
    """
    towns = list(Town.objects.filter(region__path__startswith=region.path).order_by("name"))
    plan_by_town = {
        plan.town_id: plan for plan in plans.filter(year=year, town__in=[t.pk for t in towns])
    }
    period = _period(period_id, plan_by_town.values())
    rows = target_rows(
        Target.objects.filter(plan__in=list(plan_by_town.values())).order_by(
            "plan__town__name", "section_id", "position", "pk"
        ),
        today,
    )
    by_town: dict[int, list[TargetRow]] = {}
    for row in rows:
        by_town.setdefault(row.town.id, []).append(row)
    tallies = reporting_tallies(
        rows, today, key=lambda row: row.town.id, period_start=period.starts_on if period else None
    )
    standings = []
    for town in towns:
        plan = plan_by_town.get(town.pk)
        standing = Standing(
            pk=town.pk, slug=town.slug, name=town.name, plan_id=plan.pk if plan else None
        )
        unit_figures(standing, by_town.get(town.pk, []), today)
        standing.tally = tallies.get(town.pk, Tally())
        standings.append(standing)
    return Ranking(
        year=year, today=today, period=period, standings=_rank(standings), region=region, rows=rows
    )


def town_ranking(
    town: Town,
    year: int,
    today: datetime.date,
    plans: QuerySet[Plan],
    period_id: int | None = None,
    by: str = BY_DEPARTMENT,
) -> Ranking:
    """The departments of `town`, ranked on the targets of its `year` plan they lead; or with
    `by` BY_LEADER, its leaders in charge (分管领导), on the targets they are in charge of.

    Targets without a lead department (or leader) are a unit of their own (id 0: the office
    has to assign them), so no figure loses them; departments leading nothing are listed
    unranked. A leader has no row of their own: leaders are numbered by name.
    """
    plan = plans.filter(town=town, year=year).first()
    period = _period(period_id, [plan] if plan else [])
    rows = (
        target_rows(
            Target.objects.filter(plan=plan).order_by("section_id", "position", "pk"), today
        )
        if plan
        else []
    )
    if by == BY_LEADER:
        key = lambda row: row.leader_name.strip() or None  # noqa: E731 - one line, used twice
        names = sorted({key(row) for row in rows} - {None})
        units = [(number, name, name) for number, name in enumerate(names, start=1)]
        nobody = _("No leader in charge set")
    else:
        key = lambda row: row.lead_department_id  # noqa: E731
        units = [
            (department.pk, department.name, department.pk)
            for department in Department.objects.filter(town=town).order_by("name")
        ]
        nobody = _("No lead department set")
    by_unit: dict = {}
    for row in rows:
        by_unit.setdefault(key(row), []).append(row)
    tallies = reporting_tallies(
        rows, today, key=key, period_start=period.starts_on if period else None
    )
    if None in by_unit:
        units.append((0, nobody, None))
    standings = []
    for pk, name, unit in units:
        standing = Standing(pk=pk, slug="", name=name, plan_id=plan.pk if plan else None)
        unit_figures(standing, by_unit.get(unit, []), today)
        standing.tally = tallies.get(unit, Tally())
        standings.append(standing)
    return Ranking(
        year=year,
        today=today,
        period=period,
        standings=_rank(standings),
        town=town,
        rows=rows,
        by=by,
    )


def sort_standings(standings: list[Standing], sort: str, descending: bool) -> list[Standing]:
    """Standings sorted by one figure (unknown figures last, whatever the direction)."""
    if sort not in SORTS or sort == "rank":
        ordered = list(standings)
        return ordered[::-1] if descending else ordered
    known = [s for s in standings if getattr(s, sort) is not None]
    unknown = [s for s in standings if getattr(s, sort) is None]
    known.sort(key=lambda s: getattr(s, sort), reverse=descending)
    return known + unknown
