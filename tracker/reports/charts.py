"""Charts as inline SVG, drawn on the server: no script, no chart library, no CDN.

Every chart is an `<svg role="img">` with a text alternative, and the pages
print the same numbers beside it (a table or a legend), so no reader depends
on the picture or on its colours. Colours come from CSS classes (reports.css),
so screen, print and the legend stay the same.

Numbers are computed elsewhere (tracker.progress via selectors); this module
only places them.
"""

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tracker.choices import Status
from tracker.reports import markup

# The class of each status's colour: the 督查 traffic light (red, yellow, green),
# grey where there is nothing to judge yet.
STATUS_TONE = {
    Status.ACHIEVED: "achieved",
    Status.ON_TRACK: "on-track",
    Status.AT_RISK: "at-risk",
    Status.BEHIND: "behind",
    Status.UNMET: "unmet",
    Status.OVERDUE: "overdue",
    Status.NOT_STARTED: "not-started",
    Status.NO_DATA: "no-data",
}


def _n(value: float) -> str:
    """A coordinate, short: 12.5 not 12.500000001."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def progress_bar(
    percent: Decimal | None, expected_share: Decimal | None, status: str, label: str
) -> SafeString:
    """A bar filled to `percent` (capped at 100), with a tick where the expected pace is.

    `label` is the text alternative, e.g. "65.67%, expected 100%".
    """
    filled = min(max(float(percent or 0), 0.0), 100.0)
    pace = ""
    if expected_share is not None:
        at = _n(min(max(float(expected_share) * 100, 0.0), 100.0))
        pace = f'<line class="pace" x1="{at}" x2="{at}" y1="-1" y2="11"></line>'
    # markup.html, not format_html: a plan page draws a bar per target.
    return markup.html(
        '<svg class="bar" viewBox="0 -1 100 12" preserveAspectRatio="none" role="img" '
        'aria-label="{}" focusable="false">'
        '<rect class="track" x="0" y="0" width="100" height="10" rx="2"></rect>'
        '<rect class="fill tone-{}" x="0" y="0" width="{}" height="10" rx="2"></rect>{}</svg>',
        label,
        STATUS_TONE.get(status, "no-data"),
        _n(filled),
        mark_safe(pace),
    )


def status_strip(counts: dict[str, int], labels: dict[str, str]) -> SafeString:
    """One bar split by status, in Status order, for a plan, a section or a town."""
    total = sum(counts.values())
    description = " · ".join(f"{labels[status]} {count}" for status, count in counts.items())
    if total == 0:
        return format_html(
            '<svg class="strip" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" '
            'aria-label="{}" focusable="false">'
            '<rect class="track" x="0" y="0" width="100" height="8"></rect></svg>',
            _("No targets"),
        )
    x = 0.0
    rects = []
    for status, count in counts.items():
        if not count:
            continue
        width = count / total * 100
        rects.append(
            format_html(
                '<rect class="tone-{}" x="{}" y="0" width="{}" height="8">'
                "<title>{} {}</title></rect>",
                STATUS_TONE.get(status, "no-data"),
                _n(x),
                _n(width),
                labels[status],
                count,
            )
        )
        x += width
    return format_html(
        '<svg class="strip" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" '
        'aria-label="{}" focusable="false">{}</svg>',
        description,
        mark_safe("".join(rects)),
    )


@dataclass(frozen=True)
class Point:
    """One reported value on the history chart."""

    as_of: datetime.date
    percent: Decimal | None
    status: str


@dataclass(frozen=True)
class Pace:
    """How the expected line is drawn for a target.

    - "linear": from 0 on the first day to 100% on the deadline (cumulative
      targets), or through `points` (date, share 0..1) when the target has a
      node schedule (tracker.progress.pace_points): straight between them;
    - "flat": 100% all the time (growth rates and caps are not cumulative);
    - "milestone": no line; the last quarter of the time is marked instead, or,
      when the milestone names its steps (`steps`: date, name), each step's date.
    """

    shape: str
    on_track: Decimal
    at_risk: Decimal
    points: tuple[tuple[datetime.date, Decimal], ...] = ()
    steps: tuple[tuple[datetime.date, str], ...] = ()


WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40


def _y_max(points: Sequence[Point]) -> int:
    highest = max([float(p.percent) for p in points if p.percent is not None] or [0])
    if highest <= 100:
        return 100
    # Above 100% the grid is every 50%: round the top up to the next line.
    return min(math.ceil(highest / 50) * 50, 300)


def history_chart(
    *,
    starts_on: datetime.date,
    due_on: datetime.date,
    today: datetime.date,
    points: Sequence[Point],
    pace: Pace,
    title: str,
) -> SafeString:
    """Percent complete over time against the expected pace, with the warning bands.

    The bands are the status rule's thresholds (tracker.progress): above the
    on-track share of the pace is green, down to the at-risk share yellow,
    below that red. Points above the top of the chart are drawn at the top.
    """
    end = max([due_on, *(p.as_of for p in points)])
    span = max((end - starts_on).days, 1)
    y_top = _y_max(points)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(day: datetime.date) -> float:
        return LEFT + (min(max((day - starts_on).days, 0), span) / span) * plot_w

    def y_of(percent: float) -> float:
        return TOP + plot_h - (min(max(percent, 0.0), y_top) / y_top) * plot_h

    x0, x_due, y0 = x_of(starts_on), x_of(due_on), y_of(0)
    parts: list[str] = []

    # Warning bands: what the status rule calls on track, at risk and behind.
    on_track, at_risk = float(pace.on_track), float(pace.at_risk)
    corners = pace.points or ((starts_on, Decimal(0)), (due_on, Decimal(1)))

    def curve(ratio: float) -> list[tuple[float, float]]:
        """The pace line scaled by `ratio` (1 is the pace itself), as chart coordinates."""
        return [(x_of(day), y_of(100 * float(share) * ratio)) for day, share in corners]

    def polygon(css: str, coords: list[tuple[float, float]]) -> SafeString:
        return format_html(
            '<polygon class="band {}" points="{}"></polygon>',
            css,
            " ".join(f"{_n(x)},{_n(y)}" for x, y in coords),
        )

    if pace.shape == "linear":
        top_y = y_of(y_top)
        # The band edges are 90% and 70% of the pace line (100% on the deadline).
        ok_curve, risk_curve = curve(on_track), curve(at_risk)
        parts.append(polygon("band-behind", [*risk_curve, (x_due, y0)]))
        parts.append(polygon("band-at-risk", [*ok_curve, *risk_curve[::-1][:-1]]))
        parts.append(
            polygon("band-on-track", [(x0, y0), (x0, top_y), (x_due, top_y), *ok_curve[::-1][:-1]])
        )
    elif pace.shape == "flat":
        for css, low, high in (
            ("band-behind", 0.0, 100 * at_risk),
            ("band-at-risk", 100 * at_risk, 100 * on_track),
            ("band-on-track", 100 * on_track, float(y_top)),
        ):
            parts.append(
                format_html(
                    '<rect class="band {}" x="{}" y="{}" width="{}" height="{}"></rect>',
                    css,
                    _n(x0),
                    _n(y_of(high)),
                    _n(x_due - x0),
                    _n(y_of(low) - y_of(high)),
                )
            )
    elif pace.steps:  # milestone with steps: each step's date is a deadline of its own
        for day, name in pace.steps:
            parts.append(
                format_html(
                    '<line class="step" x1="{0}" x2="{0}" y1="{1}" y2="{2}"></line>'
                    '<text class="tick step-label" x="{3}" y="{4}">{5}</text>',
                    _n(x_of(day)),
                    _n(TOP),
                    _n(y0),
                    _n(x_of(day) + 3),
                    _n(TOP + 24),
                    name,
                )
            )
    else:  # milestone: its last quarter is when it turns "at risk"
        x_late = x_of(starts_on + (due_on - starts_on) * 3 / 4)
        parts.append(
            format_html(
                '<rect class="band band-at-risk" x="{}" y="{}" width="{}" height="{}"></rect>',
                _n(x_late),
                _n(TOP),
                _n(x_due - x_late),
                _n(plot_h),
            )
        )

    # Grid and y axis labels every 20% (every 50% on tall charts).
    step = 20 if y_top <= 100 else 50
    for value in range(0, y_top + 1, step):
        y = y_of(value)
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
                '<text class="tick" x="{}" y="{}" text-anchor="end">{}%</text>',
                _n(LEFT),
                _n(WIDTH - RIGHT),
                _n(y),
                _n(y),
                _n(LEFT - 6),
                _n(y + 4),
                value,
            )  # fmt: skip
        )

    # x axis: the first day of each quarter, and the deadline.
    ticks = []
    month = datetime.date(starts_on.year, starts_on.month, 1)
    while month <= end:
        if month >= starts_on and month.month in (1, 4, 7, 10):
            ticks.append(month)
        month = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    for day in ticks:
        parts.append(
            format_html(
                '<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                _n(x_of(day)),
                _n(HEIGHT - BOTTOM + 16),
                day.strftime("%Y-%m"),
            )
        )
    parts.append(
        format_html(
            '<line class="axis" x1="{0}" x2="{1}" y1="{2}" y2="{2}"></line>'
            '<line class="axis" x1="{0}" x2="{0}" y1="{3}" y2="{2}"></line>',
            _n(LEFT),
            _n(WIDTH - RIGHT),
            _n(y0),
            _n(TOP),
        )
    )

    # The expected pace.
    if pace.shape == "linear" and pace.points:
        parts.append(
            format_html(
                '<polyline class="pace-line" points="{}"></polyline>',
                " ".join(f"{_n(x)},{_n(y)}" for x, y in curve(1.0)),
            )
        )
    elif pace.shape == "linear":
        parts.append(
            format_html(
                '<line class="pace-line" x1="{}" y1="{}" x2="{}" y2="{}"></line>',
                _n(x0),
                _n(y0),
                _n(x_due),
                _n(y_of(100)),
            )
        )
    elif pace.shape == "flat":
        parts.append(
            format_html(
                '<line class="pace-line" x1="{}" y1="{}" x2="{}" y2="{}"></line>',
                _n(x0),
                _n(y_of(100)),
                _n(x_due),
                _n(y_of(100)),
            )
        )
    parts.append(
        format_html(
            '<line class="deadline" x1="{0}" x2="{0}" y1="{1}" y2="{2}"></line>'
            '<text class="tick" x="{0}" y="{3}" text-anchor="end">{4}</text>',
            _n(x_due),
            _n(TOP),
            _n(y0),
            _n(HEIGHT - 6),
            _("deadline %(date)s") % {"date": due_on.isoformat()},
        )
    )
    if starts_on <= today <= end:
        parts.append(
            format_html(
                '<line class="today" x1="{0}" x2="{0}" y1="{1}" y2="{2}"></line>'
                '<text class="tick today-label" x="{3}" y="{4}">{5}</text>',
                _n(x_of(today)),
                _n(TOP),
                _n(y0),
                _n(x_of(today) + 4),
                _n(TOP + 12),
                _("today"),
            )
        )

    # What was reported: a line through the points, each point coloured by its status then.
    plotted = [p for p in points if p.percent is not None]
    if len(plotted) > 1:
        parts.append(
            format_html(
                '<polyline class="reported" points="{}"></polyline>',
                " ".join(f"{_n(x_of(p.as_of))},{_n(y_of(float(p.percent)))}" for p in plotted),
            )
        )
    parts.append(
        format_html_join(
            "",
            '<circle class="point tone-{}" cx="{}" cy="{}" r="5"><title>{}: {}%</title></circle>',
            (
                (
                    STATUS_TONE.get(p.status, "no-data"),
                    _n(x_of(p.as_of)),
                    _n(y_of(float(p.percent))),
                    p.as_of.isoformat(),
                    p.percent,
                )
                for p in plotted
            ),
        )
    )
    if not plotted:
        parts.append(
            format_html(
                '<text class="empty" x="{}" y="{}" text-anchor="middle">{}</text>',
                _n(LEFT + plot_w / 2),
                _n(TOP + plot_h / 2),
                _("No progress reported yet"),
            )
        )

    return format_html(
        '<svg class="history" viewBox="0 0 {} {}" role="img" aria-labelledby="history-title" '
        'focusable="false"><title id="history-title">{}</title>{}</svg>',
        WIDTH,
        HEIGHT,
        title,
        mark_safe("".join(str(part) for part in parts)),
    )


def comparison_bars(values: Sequence[tuple[Decimal | None, Decimal | None, str]]) -> list[str]:
    """For targets in one unit: each target's value and what was reached, on one scale.

    Returns one SVG per row (target outline, reached filled), all scaled to the
    largest number of the group so the rows can be compared by eye.
    """
    numbers = [float(n) for pair in values for n in pair[:2] if n is not None]
    scale = max(numbers or [1.0]) or 1.0
    bars = []
    for target, reached, status in values:
        parts = ['<rect class="track" x="0" y="0" width="100" height="14"></rect>']
        if target is not None:
            parts.append(
                format_html(
                    '<rect class="goal" x="0" y="1" width="{}" height="12"></rect>',
                    _n(float(target) / scale * 100),
                )
            )
        if reached is not None:
            parts.append(
                format_html(
                    '<rect class="fill tone-{}" x="0" y="4" width="{}" height="6"></rect>',
                    STATUS_TONE.get(status, "no-data"),
                    _n(max(float(reached), 0.0) / scale * 100),
                )
            )
        bars.append(
            format_html(
                '<svg class="compare" viewBox="0 0 100 14" preserveAspectRatio="none" '
                'aria-hidden="true" focusable="false">{}</svg>',
                mark_safe("".join(str(part) for part in parts)),
            )
        )
    return bars


__all__ = [
    "STATUS_TONE",
    "Pace",
    "Point",
    "comparison_bars",
    "history_chart",
    "progress_bar",
    "status_strip",
]


def status_trend(
    months: Sequence[tuple[str, dict[str, int]]], labels: dict[str, str]
) -> SafeString:
    """Month by month, each month a column split by the share of each status (status history).

    `months` is (label, counts) in order; the shares are of that month's targets,
    so a column always reaches 100%. The page prints the counts in a table beside it.
    """
    # Small enough a box that its 12px labels stay legible on a phone; CSS caps the height.
    width, height, left, bottom, top = 420, 220, 34, 22, 8
    plot_h = height - bottom - top
    slot = (width - left) / max(len(months), 1)
    bar = min(slot * 0.7, 48)
    parts = []
    for share in (0, 50, 100):
        y = top + plot_h * (1 - share / 100)
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
                '<text class="axis" x="{}" y="{}" text-anchor="end">{}%</text>',
                left,
                width,
                _n(y),
                _n(y),
                left - 6,
                _n(y + 4),
                share,
            )  # fmt: skip
        )
    for index, (label, counts) in enumerate(months):
        total = sum(counts.values())
        x = left + slot * index + (slot - bar) / 2
        y = top + plot_h
        for status, count in counts.items():
            if not count or not total:
                continue
            h = plot_h * count / total
            y -= h
            parts.append(
                format_html(
                    '<rect class="tone-{}" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{} {} {}</title></rect>",
                    STATUS_TONE.get(status, "no-data"),
                    _n(x),
                    _n(y),
                    _n(bar),
                    _n(h),
                    label,
                    labels[status],
                    count,
                )  # fmt: skip
            )
        parts.append(
            format_html(
                '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                _n(x + bar / 2),
                height - 6,
                label,
            )  # fmt: skip
        )
    description = "; ".join(
        label + ": " + ", ".join(f"{labels[s]} {c}" for s, c in counts.items() if c)
        for label, counts in months
    )
    return format_html(
        '<svg class="trend" viewBox="0 0 {} {}" role="img" aria-label="{}" focusable="false">'
        "{}</svg>",
        width, height, description or _("No month kept yet"), mark_safe("".join(parts)),
    )  # fmt: skip
