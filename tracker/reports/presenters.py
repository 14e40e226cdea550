"""How report pages word and draw a target: numbers, units, names, bars and badges.

Nothing here decides a status or a percentage: those come from
tracker.progress through the read model (`TargetRow.assessment`). This module only turns
them into text and pictures for the templates, which have no template tags of
their own.
"""

import datetime
import functools
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tracker import progress, wording
from tracker.choices import Comparison, Status, TargetKind, WarningLevel
from tracker.formatting import plain_number
from tracker.models import GoalSection
from tracker.reports import charts
from tracker.selectors import TargetRow
from tracker.workflow import Flag

# A shape beside the colour, so that status never rests on colour alone.
STATUS_ICON = {
    Status.ACHIEVED: "✔",
    Status.ON_TRACK: "●",
    Status.AT_RISK: "▲",
    Status.BEHIND: "✖",
    Status.UNMET: "✖",
    Status.OVERDUE: "!",
    Status.NOT_STARTED: "○",
    Status.NO_DATA: "–",
}

# The 督查 traffic light each status shows as.
STATUS_LIGHT = {
    Status.ACHIEVED: "green",
    Status.ON_TRACK: "green",
    Status.AT_RISK: "yellow",
    Status.BEHIND: "red",
    Status.UNMET: "red",
    Status.OVERDUE: "red",
    Status.NOT_STARTED: "grey",
    Status.NO_DATA: "grey",
}


# A decimal as the document writes it: 2500, 1641.72, 0.5 (tracker/formatting.py).
num = plain_number


def with_unit(value: str, unit: str) -> str:
    return wording.amount(value, unit)


def target_text(target: TargetRow) -> str:
    """What is to be reached, in words (tracker/wording.py): "8家以上", "增长5%左右", "里程碑"."""
    return wording.phrase_of(target)


def current_text(target: TargetRow) -> str:
    """The latest reported value with its unit, "done" / "not done", or empty."""
    reading = target.latest
    if reading is None:
        return ""
    if target.kind == TargetKind.MILESTONE:
        return _("done") if reading.done else _("not done")
    return with_unit(num(reading.value), target.unit)


def percent_text(percent: Decimal | None) -> str:
    """65.67%, 100%: as precise as the rule computes it (two places), no trailing zeros."""
    return "" if percent is None else f"{num(percent.quantize(Decimal('0.01')))}%"


def place_name(place) -> str:
    """A town's or region's name in the reader's language, where an English one is kept."""
    english = getattr(place, "name_en", "")
    if english and (get_language() or "").startswith("en"):
        return english
    return place.name


def status_labels() -> dict[str, str]:
    return {status.value: str(status.label) for status in Status}


@dataclass(frozen=True)
class Badge:
    """A status as colour, shape and word; `html` is the badge, drawn once here
    rather than by a template include per target."""

    status: str
    label: str
    icon: str
    tone: str
    light: str
    html: SafeString


def badge(status: str) -> Badge:
    """The status's badge in the reader's language (the same few badges, drawn once each)."""
    return _badge(Status(status), get_language())


@functools.lru_cache(maxsize=64)
def _badge(status: Status, language: str | None) -> Badge:
    # The language is in the key: the label is translated into the one active now.
    label, tone = str(status.label), charts.STATUS_TONE[status]
    return Badge(
        status=status.value,
        label=label,
        icon=STATUS_ICON[status],
        tone=tone,
        light=STATUS_LIGHT[status],
        html=format_html(
            '<span class="badge tone-{}" data-status="{}">'
            '<span class="badge-icon" aria-hidden="true">{}</span>{}</span>',
            tone,
            status.value,
            STATUS_ICON[status],
            label,
        ),
    )


@dataclass(frozen=True)
class StatusTally:
    """Counts by status for a plan, a section, a town or a region, drawn and spelled out."""

    counts: dict[str, int]
    total: int
    mean_percent: str
    strip: SafeString
    items: list[tuple[Badge, int, str]] = field(default_factory=list)


def tally(counts: dict[str, int], mean_percent: Decimal | None) -> StatusTally:
    """Each status with its count and its share of the targets (a share of none is empty)."""
    labels = status_labels()
    total = sum(counts.values())
    return StatusTally(
        counts=counts,
        total=total,
        mean_percent=percent_text(mean_percent),
        strip=charts.status_strip(counts, labels),
        items=[
            (badge(status), count, f"{round(count * 100 / total)}%" if total else "")
            for status, count in counts.items()
        ],
    )


@dataclass(frozen=True)
class TargetCard:
    """A target as a report line: what, how far, how it stands, who leads, where it came from."""

    target: TargetRow
    assessment: progress.Assessment
    badge: Badge
    goal: str
    current: str
    percent: str
    expected: str
    bar: SafeString
    due_on: datetime.date
    as_of: datetime.date | None
    is_milestone: bool
    # The 督办 warning, where the target's plan is being reported on (else None).
    flag: "WarningBadge | None" = None
    # The expected share follows the target's node schedule, not the time gone.
    by_nodes: bool = False


def pace_shape(target) -> str:
    """How the expected pace reads for a target (see charts.Pace and tracker.progress).

    Only a cumulative quantity is expected to grow with the time gone; a growth
    rate or a cap is expected at 100% all the time, and a milestone is judged by
    the time left, not by a share done.
    """
    if target.kind == TargetKind.MILESTONE:
        return "milestone"
    if target.is_growth or target.comparison in (Comparison.LE, Comparison.LT):
        return "flat"
    return "linear"


def card(row: TargetRow, flag: "WarningBadge | None" = None) -> TargetCard:
    target, assessment = row, row.assessment
    percent = percent_text(assessment.percent)
    expected = percent_text(assessment.expected_share * 100)
    by_nodes = progress.follows_nodes(row.facts)
    if by_nodes:
        label = (
            _("%(percent)s complete, %(expected)s expected by the node schedule")
            % {"percent": percent, "expected": expected}
            if percent
            else _("nothing reported, %(expected)s expected by the node schedule")
            % {"expected": expected}
        )
    else:
        label = (
            _("%(percent)s complete, %(expected)s of the time gone")
            % {"percent": percent, "expected": expected}
            if percent
            else _("nothing reported, %(expected)s of the time gone") % {"expected": expected}
        )
    return TargetCard(
        target=target,
        assessment=assessment,
        badge=badge(assessment.status),
        goal=target_text(target),
        current=current_text(target),
        percent=percent,
        expected=expected,
        bar=charts.progress_bar(
            assessment.percent,
            # The tick marks where a cumulative target should be by today.
            assessment.expected_share if pace_shape(target) == "linear" else None,
            assessment.status,
            label,
        ),
        due_on=target.due_on,
        as_of=target.as_of,
        is_milestone=target.kind == TargetKind.MILESTONE,
        flag=flag,
        by_nodes=by_nodes,
    )


def section_heading(section: GoalSection) -> str:
    return f"{section.label}{section.title}"


def legend() -> list[Badge]:
    return [badge(status) for status in Status]


# A shape beside each warning colour, as for statuses.
WARNING_ICON = {WarningLevel.RED: "✖", WarningLevel.YELLOW: "▲", WarningLevel.GREEN: "●"}


@dataclass(frozen=True)
class WarningBadge:
    """A 督办 warning as a light, a word and its reasons (tracker.workflow.warning_for)."""

    level: str
    label: str
    reasons: tuple[str, ...]
    html: SafeString


def warning_badge(flag: Flag | None) -> WarningBadge | None:
    if flag is None:
        return None
    level = WarningLevel(flag.level)
    label = {
        WarningLevel.RED: _("Red warning"),
        WarningLevel.YELLOW: _("Yellow warning"),
        WarningLevel.GREEN: _("No warning"),
    }[level]
    reasons = format_html_join(
        "", '<span class="warning-reason">{}</span>', ((r,) for r in flag.reasons)
    )
    return WarningBadge(
        level=level.value,
        label=label,
        reasons=flag.reasons,
        html=format_html(
            '<span class="warning warning-{}" data-warning="{}">'
            '<span class="warning-icon" aria-hidden="true">{}</span>'
            '<span class="warning-label">{}</span>{}</span>',
            level.value,
            level.value,
            WARNING_ICON[level],
            label,
            reasons,
        ),
    )


def met_text(target: TargetRow) -> str:
    """When the target counts as met, in words, from tracker.progress's rule ("Met")."""
    if target.kind == TargetKind.MILESTONE:
        return _("Met when it is done.")
    value = with_unit(num(target.value), target.unit)
    if target.comparison == Comparison.APPROX:
        share = (1 - progress.APPROX_TOLERANCE) * 100
        lowest = (target.value or 0) * (1 - progress.APPROX_TOLERANCE)
        text = _(
            "Met when the value reached is at least %(share)s%% of %(value)s (%(lowest)s)."
        ) % {
            "share": num(share),
            "value": value,
            "lowest": with_unit(num(lowest), target.unit),
        }
    else:
        wording = {
            Comparison.EQ: _("Met when the value reached is at least %(value)s."),
            Comparison.GE: _("Met when the value reached is at least %(value)s."),
            Comparison.GT: _("Met when the value reached is more than %(value)s."),
            Comparison.RANGE: _(
                "Met when the value reached is at least the lower value, %(value)s."
            ),
            Comparison.LE: _("Met while the value stays at most %(value)s."),
            Comparison.LT: _("Met while the value stays below %(value)s."),
        }.get(target.comparison, _("Met when the value reached is at least %(value)s."))
        text = wording % {"value": value}
    if target.is_growth:
        return _("A growth rate against last year. %(rule)s") % {"rule": text}
    return text
