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
    time from 1 January of the plan year to the deadline that has elapsed.
    pace = (percent ÷ 100) ÷ elapsed share. Growth rates are not cumulative,
    so their pace is percent ÷ 100 at any time. A milestone not yet done is on
    track until three quarters of its time has passed, then at risk.
  - not started: nothing reached yet and less than a quarter of the time gone.
  - on track: pace ≥ 0.9 · at risk: pace ≥ 0.7 · behind: below that
    (TRACKER_ON_TRACK_RATIO and TRACKER_AT_RISK_RATIO in settings).

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
        "100%%). Expected pace is the share of time elapsed from 1 January to the deadline. "
        "Green: achieved, or on track (at least %(on_track)s%% of the expected pace). "
        "Yellow: at risk (%(at_risk)s–%(on_track)s%% of the pace, or a milestone in its last "
        "quarter). Red: behind (below %(at_risk)s%%), not achieved (the deadline passed "
        "unmet), or overdue (nothing reported though the first report is past its due date). "
        "Grey: no report due yet, or not started."
    ) % {"on_track": ratio_text(thresholds.on_track), "at_risk": ratio_text(thresholds.at_risk)}


def pace_bands_summary(shape: str, thresholds: Thresholds | None = None) -> str:
    """How a history chart draws the expected pace ("linear" or "flat") and the thresholds."""
    thresholds = thresholds or configured_thresholds()
    numbers = {
        "on_track": ratio_text(thresholds.on_track),
        "at_risk": ratio_text(thresholds.at_risk),
    }
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
) -> TargetFacts:
    """A target's facts from its columns and its plan's year (the one place the due date is set).

    `first_due` is the due date of the plan's first reporting period (None: the
    plan has none, and its one report is due at the deadline).
    """
    return TargetFacts(
        kind=kind,
        comparison=comparison,
        value=value,
        value_max=value_max,
        is_growth=is_growth,
        starts_on=starts_on(year),
        due_on=due_on(deadline, year),
        first_due_on=first_due,
        open_ended=deadline is None and bool(deadline_text),
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


def assess(
    facts: TargetFacts,
    reading: Reading | None,
    today: datetime.date,
    thresholds: Thresholds = Thresholds(),  # noqa: B008 - immutable dataclass
) -> Assessment:
    """Percent complete and status of a target on `today` (see the module doc)."""
    share = expected_share(facts.starts_on, facts.due_on, today)
    percent = percent_complete(facts, reading)
    met = is_met(facts, reading)
    status = _status(facts, reading, percent, met, share, today, thresholds)
    return Assessment(percent=percent, status=status, expected_share=share, met=met)


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
