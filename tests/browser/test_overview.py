"""The leaders' overview on a wall screen (1920x1080) and on a phone (390 px), no script."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.reports.conftest import build_plan
from tracker.snapshots import month_start, previous_month, snapshot_take

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_overview_reads_on_a_wall_and_on_a_phone(live_server, page, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    plan = build_plan(40)
    today = timezone.localdate()
    for month in (previous_month(today), month_start(today)):
        snapshot_take(month=month, today=today)
    url = f"{live_server.url}/regions/{plan.town.region.slug}/{plan.year}/overview/"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(url)
    expect(page.locator("li.tile")).to_have_count(6)
    expect(page.locator("svg.trend rect").first).to_be_visible()
    # Every tile on the first screen of a wall display.
    assert page.locator("li.tile").last.bounding_box()["y"] < 1080
    page.screenshot(path=str(ARTIFACTS / "20-overview-wall.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    page.screenshot(path=str(ARTIFACTS / "21-overview-phone.png"), full_page=True)
