"""A reader's way through the report pages, in a real browser, on the seed data."""

import csv
import datetime
import io
import re
import time
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.reports.conftest import build_plan
from tracker.models import ProgressUpdate, Target

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DANZAO_LAND = "村级工业园土地拆除整理（年度任务）"
DANZAO_QUOTE = "截至目前,丹灶已完成土地拆除整理1641.72亩,实现年度任务量的65.67%"


def test_a_reader_follows_a_town_reads_a_quote_switches_language_filters_prints_and_downloads(
    seeded_site, page, shoot
):
    base = seeded_site.url

    # The home page: the region tree, in Chinese although the browser asks for English.
    page.goto(base + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_contain_text("镇街年度工作计划")
    expect(page.get_by_role("heading", name=re.compile("南海区"))).to_be_visible()
    shoot(page, "01-home")

    # Follow a town to its latest plan.
    page.get_by_role("link", name="丹灶镇", exact=True).click()
    expect(page).to_have_url(base + "/towns/danzao/2020/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("丹灶镇2020年工作")
    shoot(page, "02-plan")

    # Read a target's quote: one click opens it.
    card = page.locator("li.target", has_text=DANZAO_LAND)
    expect(card.get_by_text(DANZAO_QUOTE)).to_be_hidden()
    card.get_by_text("原文", exact=True).click()
    expect(card.get_by_text(DANZAO_QUOTE)).to_be_visible()
    card.screenshot(path=str(ARTIFACTS / "03-plan-quote.png"))

    # ... and see it highlighted in its document.
    card.get_by_role("link", name="在原文件中查看").click()
    expect(page).to_have_url(re.compile(r"/targets/\d+/#quote$"))
    expect(page.locator("blockquote#quote mark")).to_have_text(DANZAO_QUOTE)
    expect(page.locator("blockquote#quote mark")).to_be_in_viewport()
    expect(page.locator("svg.history")).to_be_visible()
    shoot(page, "04-target")

    # Switch to English and back, staying on the same page.
    target_url = page.url.split("#")[0]
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(target_url)
    expect(page.get_by_role("heading", name="Where it was written")).to_be_visible()
    # 2020's deadline has passed short of the task: not achieved, in English.
    expect(page.locator(".standing .badge")).to_have_text(re.compile("Not achieved"))
    shoot(page, "05-target-en")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", name="原文出处")).to_be_visible()

    # Filter the plan's targets by status.
    page.goto(base + "/towns/danzao/2020/")
    expect(page.locator("li.target")).to_have_count(5)
    page.get_by_label("状态").select_option("unmet")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"status=unmet"))
    expect(page.locator("li.target")).to_have_count(1)
    expect(page.locator("li.target")).to_contain_text(DANZAO_LAND)
    shoot(page, "06-plan-filtered")

    # Print preview: the controls go, the report stays, on A4.
    page.emulate_media(media="print")
    expect(page.locator("form.filters")).to_be_hidden()
    expect(page.locator("form.language")).to_be_hidden()
    expect(page.locator("li.target")).to_be_visible()
    shoot(page, "07-plan-print")
    pdf = page.pdf(format="A4", print_background=True)
    (ARTIFACTS / "07-plan-print.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    page.emulate_media(media="screen")

    # Download the CSV of the filtered targets.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename == "danzao-2020-targets.csv"
    text = open(download.path(), encoding="utf-8-sig").read()
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[:5] == ["编号", "镇街", "年度", "章节", "指标"]
    assert [row[4] for row in rows] == [DANZAO_LAND]
    assert rows[0][header.index("完成率")] == "65.67"

    # A region's towns side by side.
    page.goto(base + "/regions/nanhai/2022/")
    expect(page.get_by_role("heading", name="各镇街同类指标对比")).to_be_visible()
    expect(page.locator("table.compare-table").first).to_contain_text("亩")
    shoot(page, "08-region")


def test_keyboard_alone_reaches_the_content_and_the_language_switch(seeded_site, page, shoot):
    page.goto(seeded_site.url + "/towns/xiqu/2026/")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("跳到正文")
    page.keyboard.press("Tab")  # the brand link
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("中文")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("English")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # The first filter menu is reachable and usable from the keyboard.
    page.get_by_label("Status").focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Status")).not_to_have_value("")
    shoot(page, "09-plan-en-keyboard")


def test_a_busy_plan_renders_quickly_and_reads_well(live_server, page, shoot, settings):
    """200 targets in the current year, in every status, and one target with a long history."""
    settings.LANGUAGE_CODE = "zh-hans"
    plan = build_plan(200)
    today = timezone.localdate()
    target = Target.objects.filter(plan=plan, kind="quantitative").order_by("position").first()
    days = max((today - plan.starts_on).days, 1)
    history = [
        ProgressUpdate(
            target=target,
            as_of=plan.starts_on + datetime.timedelta(days=days * step // 6),
            value=(Decimal(2500) * step / 7).quantize(Decimal("0.01")),
            note=f"第{step}次填报",
        )
        for step in range(1, 7)
    ]
    ProgressUpdate.objects.bulk_create(history)
    target.latest_update = ProgressUpdate.objects.filter(target=target).latest("as_of", "id")
    target.save(update_fields=["latest_update"])

    started = time.perf_counter()
    page.goto(f"{live_server.url}/towns/{plan.town.slug}/{plan.year}/")
    elapsed = time.perf_counter() - started
    expect(page.locator("li.target")).to_have_count(200)
    assert elapsed < 5, elapsed  # loose: a slow CI machine; typically well under a second
    shoot(page, "10-plan-200-targets")
    page.locator("#targets-title").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "10-plan-200-targets-screen.png"))

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    shoot(page, "11-plan-200-targets-phone")
    page.screenshot(path=str(ARTIFACTS / "11-plan-200-targets-phone-screen.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/targets/{target.pk}/")
    # Six points: build_plan's own report shares today's date with the sixth,
    # and of two reports on one date the later one counts.
    expect(page.locator("svg.history circle")).to_have_count(6)
    shoot(page, "12-target-history")


def test_a_whole_plan_prints_on_a4(seeded_site, page, shoot):
    page.goto(seeded_site.url + "/towns/xiqu/2026/")
    page.emulate_media(media="print")
    expect(page.locator("form.filters")).to_be_hidden()
    for downloads in page.locator(".downloads").all():
        expect(downloads).to_be_hidden()
    expect(page.locator("li.target")).to_have_count(41)
    shoot(page, "13-xiqu-2026-print")
    pdf = page.pdf(format="A4", print_background=True)
    (ARTIFACTS / "13-xiqu-2026-a4.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert 3 <= pages <= 20, pages  # 41 targets on a few pages, not one per target
