"""Percent complete and status of a target: the rules, as pure functions.

These are the only place the rules live; the admin, the API, the report
pages and the exports all call `assess()` on the facts built here
(`facts_of`: the deadline, or 31 December of the plan year). The rule is
shown to readers in words built from the configured thresholds
(`rule_summary()`), and a target's history is one series for every face
(`history()`).

Percent complete
  - A milestone is 0 until it is done, then 100.
  - A target to reach (=, ≥, >, ≈, range) is reached ÷ target × 100; a range
    counts against its lower value. It may pass 100.
  - A cap (≤, <) is 100 while the value stays within it, else target ÷ reached × 100.
  - Rounded half-up to two places and never below 0 (a falling growth rate is 0%).

Met
  =, ≥ reached ≥ value · > reached > value · ≈ reached ≥ value × 95% ·
  range reached ≥ lower · ≤ reached ≤ value · < reached < value · milestone done.
  ("=" reads "complete 2500 亩": doing more still meets it.)

Status, on a given day
  - overdue (逾期未报): nothing has been reported and the first report was due
    before that day: the due date of the plan's first reporting period, or,
    for a plan without periods, the target's deadline (its one report).
  - no data: nothing has been reported and no report was due yet.
  - achieved: met. A cap or a growth rate is only known to be met when its
    deadline has passed; until then meeting it is "on track".
  - not achieved (未完成): the deadline has passed and it is not met (a
    closed plan's unmet targets read so).
  - behind: a cap is exceeded before its deadline.
  - A target whose time limit is no date in the plan year (3至5年内: a
    deadline_text and no deadline) is not judged against the plan year: met
    is achieved, anything reached is on track, nothing yet is not started.
  - Otherwise progress is compared with the expected pace: the share of the
    time from 1 January of the plan year (or the target's start date, for a
    task assigned during the year) to the deadline that has elapsed
    (for a target with a node schedule, the share its nodes plan by that
    day: see below).
    pace = (percent ÷ 100) ÷ elapsed share. Growth rates are not cumulative,
    so their pace is percent ÷ 100 at any time. A milestone not yet done is on
    track until three quarters of its time has passed, then at risk.
  - not started: nothing reached yet and less than a quarter of the time gone.
  - on track: pace ≥ 0.9 · at risk: pace ≥ 0.7 · behind: below that
    (TRACKER_ON_TRACK_RATIO and TRACKER_AT_RISK_RATIO in settings).

Node schedules (节点目标), when a target has them
  - A cumulative target (=, ≥, >, ≈, range; not a growth rate, not a cap) may
    plan dated nodes, each a cumulative share of the target ("一季度完成20%",
    or an amount such as 500 亩 of 2500, i.e. 20%). Its expected share then
    follows the nodes instead of the straight line: 0 on the day before
    1 January, each node's share on its date, the whole target on the
    deadline (or more, if a node plans more), and between two of these points it is
    interpolated day by day from the previous one. This is what offices mean
    by 序时进度 between nodes: a node says how far a target should be on its
    date, and on the days between, the part of the step that time has
    covered. Stepping (the previous node's share until the next node's date)
    would ask nothing before the first node, then the whole step at once:
    no early warning, and a cliff on the node's day. With no nodes the rule
    is the straight line above, which is the same interpolation with only
    the deadline as a node.
  - A milestone target may name its steps (立项 → 开工 → 竣工), each with a
    date. Until it is done, such a milestone is behind once one of them has
    passed its date undone (a step done after that date counts from the day
    it was done), and on track otherwise (this replaces the "last quarter"
    rule). A step passed undone is also a red warning of its own
    (tracker/workflow.py), whatever the status: also while nothing is
    reported (overdue, no data) or once the deadline has passed.
  - Nodes change nothing else: percent complete, "met", overdue and no data,
    open-ended targets and the deadline rules are as above; pace = (percent
    ÷ 100) ÷ expected share as before, and "not started" compares that
    expected share, not the time, with a quarter.

History
  Every update is judged as it stood on its own date. An update that a later
  one corrects is superseded: it is listed, marked, but is not a point of the
  series; of several updates on one date the one recorded last is the point.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from tracker.choices import Comparison, Status, TargetKind
from tracker.formatting import plain_number

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
APPROX_TOLERANCE = Decimal("0.05")
ON_TRACK_PACE = Decimal("0.9")
AT_RISK_PACE = Decimal("0.7")
NOT_STARTED_SHARE = Decimal("0.25")
MILESTONE_AT_RISK_SHARE = Decimal("0.75")

CAPS = frozenset({Comparison.LE, Comparison.LT})


@dataclass(frozen=True)
class Thresholds:
    on_track: Decimal = ON_TRACK_PACE
    at_risk: Decimal = AT_RISK_PACE


def configured_thresholds() -> Thresholds:
    """The pace thresholds, which a deployment may tune in settings."""
    return Thresholds(
        on_track=Decimal(str(settings.TRACKER_ON_TRACK_RATIO)),
        at_risk=Decimal(str(settings.TRACKER_AT_RISK_RATIO)),
    )


def ratio_text(ratio: Decimal) -> str:
    """A threshold as a percentage's number: 0.9 → "90", 0.875 → "87.5"."""
    return plain_number(Decimal(str(ratio)) * 100)


def rule_summary(thresholds: Thresholds | None = None) -> str:
    """The status rule in the reader's language, with this deployment's thresholds."""
    thresholds = thresholds or configured_thresholds()
    return _(
        "Percent complete is the value reached divided by the target (a milestone is 0 or "
        "100%%). Expected pace is the share of time elapsed from 1 January to the deadline, "
        "or, for a target with a node schedule (节点目标), the share its nodes plan by that "
        "day. Green: achieved, or on track (at least %(on_track)s%% of the expected pace). "
        "Yellow: at risk (%(at_risk)s–%(on_track)s%% of the pace, or a milestone without "
        "named steps in its last quarter). Red: behind (below %(at_risk)s%%, or a "
        "milestone's step passed undone), not achieved (the deadline passed unmet), or "
        "overdue (nothing reported though the first report is past its due date). Grey: no "
        "report due yet, or not started."
    ) % {"on_track": ratio_text(thresholds.on_track), "at_risk": ratio_text(thresholds.at_risk)}


def pace_bands_summary(shape: str, thresholds: Thresholds | None = None) -> str:
    """How a history chart draws the expected pace and the thresholds.

    `shape` is "linear", "flat", "nodes" (the pace through a node schedule) or
    "steps" (a milestone's named steps).
    """
    thresholds = thresholds or configured_thresholds()
    numbers = {
        "on_track": ratio_text(thresholds.on_track),
        "at_risk": ratio_text(thresholds.at_risk),
    }
    if shape == "nodes":
        return (
            _(
                "The line is the expected pace by the target's node schedule (序时进度): each "
                "node's planned share on its date, straight from one node to the next, and the "
                "whole target on the deadline. The shaded bands are the warning colours: green "
                "at or above %(on_track)s%% of the pace, yellow from %(at_risk)s%%, red below."
            )
            % numbers
        )
    if shape == "steps":
        return _(
            "A milestone is 0% until it is done, then 100%. The dotted lines are the dates "
            "of its steps: a step passed undone puts the milestone behind."
        )
    if shape == "flat":
        return (
            _(
                "This target is not cumulative (a growth rate or a cap): it is expected to be at "
                "100%% all the time. The shaded bands are the warning colours: green at or above "
                "%(on_track)s%%, yellow from %(at_risk)s%%, red below."
            )
            % numbers
        )
    return (
        _(
            "The diagonal line is the expected pace: from nothing on 1 January to the whole "
            "target on the deadline. The shaded bands are the warning colours: green at or above "
            "%(on_track)s%% of the pace, yellow from %(at_risk)s%%, red below."
        )
        % numbers
    )


def starts_on(year: int) -> datetime.date:
    """The first day of a plan year."""
    return datetime.date(year, 1, 1)


def due_on(deadline: datetime.date | None, year: int) -> datetime.date:
    """When a target is due: its deadline, or 31 December of its plan year."""
    return deadline or datetime.date(year, 12, 31)


@dataclass(frozen=True)
class Node:
    """One dated node of a target's schedule: a planned cumulative share, or a named step."""

    due_on: datetime.date
    share: Decimal | None = None  # 0..1 of the target, for a cumulative target
    name: str = ""  # a milestone's step: 立项, 开工, 竣工
    done_on: datetime.date | None = None  # when a step was done


@dataclass(frozen=True)
class TargetFacts:
    """What the rules need to know of a target."""

    kind: str
    comparison: str
    value: Decimal | None
    value_max: Decimal | None
    is_growth: bool
    starts_on: datetime.date
    due_on: datetime.date
    # When the first report is due: after it, nothing reported is overdue.
    first_due_on: datetime.date | None = None
    # No date in the plan year (3至5年内): not judged against the year's end.
    open_ended: bool = False
    # The node schedule (节点目标), in date order; empty: the straight line.
    nodes: tuple[Node, ...] = ()

    @property
    def report_due_on(self) -> datetime.date:
        return self.first_due_on or self.due_on


def facts_of(
    *,
    kind: str,
    comparison: str,
    value: Decimal | None,
    value_max: Decimal | None,
    is_growth: bool,
    deadline: datetime.date | None,
    year: int,
    first_due: datetime.date | None = None,
    deadline_text: str = "",
    nodes: tuple[Node, ...] = (),
    start: datetime.date | None = None,
) -> TargetFacts:
    """A target's facts from its columns and its plan's year (the one place the due date is set).

    `first_due` is the due date of the first reporting period the target owes
    (None: the plan has none, and its one report is due at the deadline).
    `start` is the target's start date, when it starts after 1 January (a task
    assigned during the year): its time runs from then.
    """
    return TargetFacts(
        kind=kind,
        comparison=comparison,
        value=value,
        value_max=value_max,
        is_growth=is_growth,
        starts_on=start or starts_on(year),
        due_on=due_on(deadline, year),
        first_due_on=first_due,
        open_ended=deadline is None and bool(deadline_text),
        nodes=nodes,
    )


@dataclass(frozen=True)
class Reading:
    """The latest reported progress: a value, or a milestone's state."""

    value: Decimal | None
    done: bool | None
    as_of: datetime.date | None = None


def reading_of(
    value: Decimal | None, done: bool | None, as_of: datetime.date | None
) -> Reading | None:
    """The reading of an update's columns, or None when there is no update (no date)."""
    return None if as_of is None else Reading(value=value, done=done, as_of=as_of)


@dataclass(frozen=True)
class Assessment:
    percent: Decimal | None
    status: Status
    expected_share: Decimal
    met: bool
    missed_steps: tuple[Node, ...] = ()  # a milestone's steps passed undone (red warning)


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def percent_complete(facts: TargetFacts, reading: Reading | None) -> Decimal | None:
    """Percent of the target reached, or None when nothing can be said."""
    if reading is None:
        return None
    if facts.kind == TargetKind.MILESTONE:
        return HUNDRED if reading.done else Decimal(0)
    reached, target = reading.value, facts.value
    if reached is None or target is None:
        return None
    if facts.comparison in CAPS:
        if is_met(facts, reading) or reached == 0:
            return _round(HUNDRED)
        return max(Decimal(0), _round(target / reached * HUNDRED))
    if target == 0:
        return _round(HUNDRED) if reached > 0 else Decimal(0)
    return max(Decimal(0), _round(reached / target * HUNDRED))


def is_met(facts: TargetFacts, reading: Reading | None) -> bool:
    """Whether the reported value meets the target as written (see the module doc)."""
    if reading is None:
        return False
    if facts.kind == TargetKind.MILESTONE:
        return bool(reading.done)
    reached, target = reading.value, facts.value
    if reached is None or target is None:
        return False
    match facts.comparison:
        case Comparison.GT:
            return reached > target
        case Comparison.LE:
            return reached <= target
        case Comparison.LT:
            return reached < target
        case Comparison.APPROX:
            return reached >= target * (1 - APPROX_TOLERANCE)
        case _:  # EQ, GE, RANGE (against its lower value)
            return reached >= target


def expected_share(
    starts_on: datetime.date, due_on: datetime.date, today: datetime.date
) -> Decimal:
    """The share (0..1) of the time from start to deadline that has passed by `today`."""
    if today < starts_on:
        return Decimal(0)
    total_days = (due_on - starts_on).days + 1
    if total_days <= 0 or today >= due_on:
        return Decimal(1)
    elapsed_days = (today - starts_on).days + 1
    return (Decimal(elapsed_days) / Decimal(total_days)).quantize(Decimal("0.0001"))


def node_share(
    *, percent: Decimal | None, value: Decimal | None, target_value: Decimal | None
) -> Decimal | None:
    """A node's planned cumulative share (0..1) of its target: a percent, or an amount of it."""
    if percent is not None:
        return percent / HUNDRED
    if value is not None and target_value:
        return value / target_value
    return None


def follows_nodes(facts: TargetFacts) -> bool:
    """Whether the target's expected share follows planned shares (see the module doc)."""
    return (
        facts.kind == TargetKind.QUANTITATIVE
        and not facts.is_growth
        and facts.comparison not in CAPS
        and any(node.share is not None for node in facts.nodes)
    )


def pace_points(facts: TargetFacts) -> list[tuple[datetime.date, Decimal]]:
    """The expected pace as (date, share) corners; the line runs straight between them.

    Starts at 0 on the day before the plan year begins (so 1 January is one
    day's worth, as in `expected_share`) and ends at 100% on the deadline.
    """
    points = [(facts.starts_on - datetime.timedelta(days=1), Decimal(0))]
    last = Decimal(1)  # on the deadline: the whole target, or more if a node plans more
    if follows_nodes(facts):
        for node in sorted(facts.nodes, key=lambda node: node.due_on):
            if node.share is None or not points[-1][0] < node.due_on <= facts.due_on:
                continue  # outside the year (tracker.models.nodes refuses it), or a step
            if node.due_on == facts.due_on:
                last = max(last, node.share)
            else:
                points.append((node.due_on, max(node.share, points[-1][1])))
    if points[-1][0] < facts.due_on:
        points.append((facts.due_on, max(last, points[-1][1])))
    return points


def planned_share(facts: TargetFacts, today: datetime.date) -> Decimal:
    """The expected share on `today`: the nodes' schedule if the target has one, else time."""
    if not follows_nodes(facts):
        return expected_share(facts.starts_on, facts.due_on, today)
    points = pace_points(facts)
    if today <= points[0][0]:
        return Decimal(0)
    for (start, low), (end, high) in zip(points, points[1:], strict=False):
        if today <= end:
            covered = Decimal((today - start).days) / Decimal((end - start).days)
            return (low + (high - low) * covered).quantize(Decimal("0.0001"))
    return points[-1][1]


def missed_steps(facts: TargetFacts, today: datetime.date) -> tuple[Node, ...]:
    """A milestone's named steps whose date has passed by `today` and that are not done."""
    if facts.kind != TargetKind.MILESTONE:
        return ()
    return tuple(
        node
        for node in facts.nodes
        if node.name and node.due_on < today and (node.done_on is None or node.done_on > today)
    )


SCHEDULE_SAME_DATE = "same_date"
SCHEDULE_DECREASING = "decreasing"
SCHEDULE_OUTSIDE = "outside"


def schedule_errors(facts: TargetFacts) -> list[str]:
    """What is wrong with a target's nodes as a whole (each node's own fields are the model's)."""
    errors = []
    dates = [node.due_on for node in facts.nodes]
    if len(set(dates)) != len(dates):
        errors.append(SCHEDULE_SAME_DATE)
    ordered = sorted(facts.nodes, key=lambda node: node.due_on)
    shares = [node.share for node in ordered if node.share is not None]
    if any(later < earlier for earlier, later in zip(shares, shares[1:], strict=False)):
        errors.append(SCHEDULE_DECREASING)
    if any(node.due_on > facts.due_on or node.due_on < facts.starts_on for node in ordered):
        errors.append(SCHEDULE_OUTSIDE)
    return errors


def assess(
    facts: TargetFacts,
    reading: Reading | None,
    today: datetime.date,
    thresholds: Thresholds = Thresholds(),  # noqa: B008 - immutable dataclass
) -> Assessment:
    """Percent complete and status of a target on `today` (see the module doc)."""
    share = planned_share(facts, today)
    percent = percent_complete(facts, reading)
    met = is_met(facts, reading)
    status = _status(facts, reading, percent, met, share, today, thresholds)
    return Assessment(
        percent=percent,
        status=status,
        expected_share=share,
        met=met,
        missed_steps=() if met else missed_steps(facts, today),
    )


def _status(
    facts: TargetFacts,
    reading: Reading | None,
    percent: Decimal | None,
    met: bool,
    share: Decimal,
    today: datetime.date,
    thresholds: Thresholds,
) -> Status:
    if reading is None or percent is None:
        return Status.OVERDUE if today > facts.report_due_on else Status.NO_DATA
    if facts.open_ended:
        if met:
            return Status.ACHIEVED
        return Status.ON_TRACK if percent > 0 else Status.NOT_STARTED
    deadline_passed = today > facts.due_on
    settles_at_deadline = facts.comparison in CAPS or facts.is_growth
    if met and (deadline_passed or not settles_at_deadline):
        return Status.ACHIEVED
    if deadline_passed:
        return Status.UNMET
    if met:
        return Status.ON_TRACK
    if facts.comparison in CAPS:
        return Status.BEHIND  # a cap once exceeded cannot be met again this year
    if facts.kind == TargetKind.MILESTONE:
        if any(node.name for node in facts.nodes):
            return Status.BEHIND if missed_steps(facts, today) else Status.ON_TRACK
        return Status.AT_RISK if share >= MILESTONE_AT_RISK_SHARE else Status.ON_TRACK
    if percent == 0 and share < NOT_STARTED_SHARE:
        return Status.NOT_STARTED
    if facts.is_growth:
        pace = percent / HUNDRED
    elif share == 0:
        return Status.NOT_STARTED if percent == 0 else Status.ON_TRACK
    else:
        pace = percent / HUNDRED / share
    if pace >= thresholds.on_track:
        return Status.ON_TRACK
    if pace >= thresholds.at_risk:
        return Status.AT_RISK
    return Status.BEHIND


@dataclass(frozen=True)
class HistoryEntry:
    """One progress update judged on its own date, and whether a later update corrects it."""

    update_id: int
    as_of: datetime.date
    value: Decimal | None
    done: bool | None
    assessment: Assessment
    corrected: bool


def history(
    facts: TargetFacts,
    updates: Iterable[tuple[int, datetime.date, Decimal | None, bool | None, int | None]],
    thresholds: Thresholds | None = None,
) -> list[HistoryEntry]:
    """Every update of a target, oldest first, as (id, as of, value, done, id it corrects).

    `updates` come in the order they are to be listed (as of, then id). The
    pages and the API both draw their series from this, through `series`.
    """
    thresholds = thresholds or configured_thresholds()
    updates = list(updates)
    corrected = {corrects for *_rest, corrects in updates if corrects is not None}
    return [
        HistoryEntry(
            update_id=pk,
            as_of=as_of,
            value=value,
            done=done,
            assessment=assess(
                facts, Reading(value=value, done=done, as_of=as_of), as_of, thresholds
            ),
            corrected=pk in corrected,
        )
        for pk, as_of, value, done, _corrects in updates
    ]


def series(entries: Iterable[HistoryEntry]) -> list[HistoryEntry]:
    """The points of a history: corrected updates left out, one point per date (the last)."""
    points: dict[datetime.date, HistoryEntry] = {}
    for entry in entries:
        if not entry.corrected:
            points[entry.as_of] = entry  # a later record of the same date replaces it
    return sorted(points.values(), key=lambda entry: entry.as_of)
