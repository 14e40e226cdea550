"""The server-drawn SVG charts: what they place where, and that they stand alone."""

import datetime
import re
from decimal import Decimal

from tracker.choices import Status
from tracker.reports import charts

PACE = charts.Pace(shape="linear", on_track=Decimal("0.9"), at_risk=Decimal("0.7"))
LABELS = {status.value: str(status.label) for status in Status}


def widths(svg: str) -> list[float]:
    return [float(w) for w in re.findall(r'width="([\d.]+)"', svg)]


def test_progress_bar_fills_to_the_percent_and_ticks_the_pace():
    svg = charts.progress_bar(Decimal("65.67"), Decimal("0.5"), Status.AT_RISK, "65.67%")
    assert 'class="fill tone-at-risk"' in svg
    assert widths(svg) == [100, 65.67]
    assert 'x1="50" x2="50"' in svg
    assert 'role="img" aria-label="65.67%"' in svg


def test_progress_bar_caps_an_overshoot_and_has_no_tick_without_a_pace():
    svg = charts.progress_bar(Decimal("140"), None, Status.ACHIEVED, "140%")
    assert widths(svg) == [100, 100]
    assert "<line" not in svg


def test_progress_bar_escapes_its_label():
    svg = charts.progress_bar(None, None, Status.NO_DATA, '<b>"x"</b>')
    assert "<b>" not in svg
    assert "&lt;b&gt;" in svg


def test_status_strip_splits_by_status_in_order_and_names_each_part():
    counts = {
        "achieved": 1,
        "on_track": 1,
        "at_risk": 0,
        "behind": 2,
        "not_started": 0,
        "no_data": 0,
    }
    svg = charts.status_strip(counts, LABELS)
    assert re.findall(r'class="tone-([\w-]+)"', svg) == ["achieved", "on-track", "behind"]
    assert widths(svg) == [25, 25, 50]
    assert f"<title>{LABELS['behind']} 2</title>" in svg


def test_status_strip_of_nothing_is_an_empty_track():
    svg = charts.status_strip(dict.fromkeys(LABELS, 0), LABELS)
    assert 'class="track"' in svg
    assert "tone-" not in svg


def test_history_chart_draws_the_pace_the_bands_and_each_report():
    points = [
        charts.Point(datetime.date(2020, 3, 31), Decimal("20"), Status.ON_TRACK),
        charts.Point(datetime.date(2020, 6, 30), Decimal("65.67"), Status.ON_TRACK),
    ]
    svg = charts.history_chart(
        starts_on=datetime.date(2020, 1, 1),
        due_on=datetime.date(2020, 12, 31),
        today=datetime.date(2020, 8, 1),
        points=points,
        pace=PACE,
        title="拆除整理",
    )
    assert svg.count("<circle") == 2
    assert 'class="pace-line"' in svg
    for band in ("band-on-track", "band-at-risk", "band-behind"):
        assert band in svg
    assert 'class="reported"' in svg
    assert 'class="today"' in svg
    assert "2020-01" in svg
    assert "2020-10" in svg
    assert '<title id="history-title">拆除整理</title>' in svg
    assert "http" not in svg  # inline SVG needs no namespace URL, nor anything else


def test_history_chart_of_a_growth_rate_expects_100_percent_all_year():
    svg = charts.history_chart(
        starts_on=datetime.date(2026, 1, 1),
        due_on=datetime.date(2026, 12, 31),
        today=datetime.date(2026, 5, 1),
        points=[],
        pace=charts.Pace("flat", Decimal("0.9"), Decimal("0.7")),
        title="增长",
    )
    y = re.search(r'class="pace-line" x1="[\d.]+" y1="([\d.]+)" x2="[\d.]+" y2="([\d.]+)"', svg)
    assert y.group(1) == y.group(2)  # horizontal
    assert 'class="empty"' in svg  # nothing reported yet, said in words


def test_history_chart_rises_to_fit_an_overshoot():
    svg = charts.history_chart(
        starts_on=datetime.date(2024, 1, 1),
        due_on=datetime.date(2024, 12, 31),
        today=datetime.date(2025, 1, 1),
        points=[charts.Point(datetime.date(2024, 12, 1), Decimal("180"), Status.ACHIEVED)],
        pace=PACE,
        title="x",
    )
    assert ">200%<" in svg
    assert 'class="today"' not in svg  # today is past the chart's end


def test_comparison_bars_share_one_scale():
    bars = charts.comparison_bars(
        [
            (Decimal("2500"), Decimal("1250"), Status.BEHIND),
            (Decimal("500"), None, Status.NO_DATA),
        ]
    )
    assert widths(bars[0]) == [100, 100, 50]
    assert widths(bars[1]) == [100, 20]
