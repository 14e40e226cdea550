"""The leaders' overview (领导驾驶舱): the bulletin's figures on one screen, the trend from history."""

import datetime

import pytest
from django.utils import timezone

from tests import factories
from tests.reports.conftest import build_plan
from tracker.bulletins.sources import region_figures
from tracker.reports import charts
from tracker.snapshots import month_start, snapshot_take

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("n_targets", [1, 200])
def test_region_overview_queries_do_not_grow_with_targets(
    client, django_assert_num_queries, n_targets
):
    plan = build_plan(n_targets, with_nodes=True)
    town = factories.TownFactory(region=plan.town.region)
    build_plan(n_targets, year=plan.year, town=town, with_nodes=True)
    today = timezone.localdate()
    snapshot_take(month=month_start(today), today=today)
    region = plan.town.region
    # savepoint, the region, its towns, their readable plans, the rows (5), the periods
    # due (the ranking's reporting rates), the red rows' notes, last month's snapshots,
    # the snapshots by month and status, release
    with django_assert_num_queries(14):
        response = client.get(f"/regions/{region.slug}/{plan.year}/overview/")
    assert response.status_code == 200


@pytest.mark.parametrize("n_targets", [1, 200])
def test_town_overview_queries_do_not_grow_with_targets(
    client, django_assert_num_queries, n_targets
):
    plan = build_plan(n_targets, with_nodes=True)
    # savepoint, the town, its readable plan, the rows (5), the periods due (the
    # ranking's reporting rates), its departments, the red rows' notes, last month's
    # snapshots, the snapshots by month and status, release
    with django_assert_num_queries(14):
        response = client.get(f"/towns/{plan.town.slug}/{plan.year}/overview/")
    assert response.status_code == 200


def test_the_tiles_say_the_bulletins_figures_and_the_trend_the_kept_months(client):
    plan = build_plan(12)
    region = plan.town.region
    today = timezone.localdate()
    snapshot_take(month=month_start(today), today=today)
    figures = region_figures(region, plan.year, today.month, today=today)
    page = client.get(f"/regions/{region.slug}/{plan.year}/overview/").content.decode()
    assert f'<span class="tile-value">{figures.overall.target_count}</span>' in page
    assert f'<span class="tile-value">{figures.overall.red}</span>' in page
    assert '<svg class="trend"' in page
    assert "<script" not in page
    assert ' style="' not in page  # nothing a strict CSP would refuse
    for item in figures.red_items:
        assert item.title in page


def test_a_year_to_come_is_not_found(client):
    town = factories.TownFactory()
    year = timezone.localdate().year + 1
    assert client.get(f"/towns/{town.slug}/{year}/overview/").status_code == 404


def test_trend_columns_are_shares_of_each_months_targets():
    labels = {"achieved": "已完成", "behind": "滞后", "no_data": "未填报"}
    svg = str(
        charts.status_trend(
            [("10月", {"achieved": 1, "behind": 1, "no_data": 2}), ("11月", {"achieved": 4})],
            labels,
        )
    )
    assert svg.count("<rect") == 4  # 3 parts in October, 1 in November
    assert 'height="47.5"' in svg  # a quarter of the 190-unit plot: 1 of October's 4
    assert 'height="190"' in svg  # all of November's


def test_every_page_frame_says_the_day_statuses_are_judged_on(client, settings):
    # The overview passed no `today` of its own: its footer said "Statuses as of ."
    settings.TRACKER_TODAY = datetime.date(2026, 12, 1)
    plan = build_plan(3, year=2026)
    region = plan.town.region
    for url in (
        f"/regions/{region.slug}/2026/overview/",
        f"/towns/{plan.town.slug}/2026/overview/",
        f"/regions/{region.slug}/2026/ranking/",
        "/",
    ):
        page = client.get(url).content.decode()
        assert "Statuses as of 2026-12-01." in page, url
