"""The grid in a real browser: a department fills 西区's November period by keyboard alone.

It signs in, follows 批量填报 from its tasks, types each value and moves on
with Tab, and submits with the keyboard; the screenshots at desktop and phone
width go to test-artifacts/ (26-grid-desktop.png, 27-grid-phone.png,
28-grid-submitted.png).
"""

import datetime
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_reporting import PASSWORD
from tracker.choices import ReportState, Role, TargetKind
from tracker.models import Department, Membership, ProgressReport, Target
from tracker.selectors import in_document_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def xiqu_grid(seeded_site, settings):
    """西区 2026 with monthly periods on 1 December; an office leading five targets."""
    settings.TRACKER_TODAY = datetime.date(2026, 12, 1)
    call_command("generate_periods", "--town", "xiqu", "--year", "2026")
    targets = list(
        Target.objects.filter(plan__town__slug="xiqu", plan__year=2026)
        .select_related("plan__town")
        .order_by("section__parent_id", "section__position", "position")
    )
    quantities = [t for t in targets if t.kind == TargetKind.QUANTITATIVE and not t.is_growth][:4]
    milestones = [t for t in targets if t.kind == TargetKind.MILESTONE][:1]
    chosen = quantities + milestones
    town = chosen[0].plan.town
    office = Department.objects.create(town=town, name="经济发展局")
    for target in chosen:
        target.lead_department = office
        target.save()
    user = factories.UserFactory(username="jingji")
    Membership.objects.create(user=user, town=town, role=Role.REPORTER, department=office)
    # In the grid's row order, the plan's (which the keyboard follows): the order above
    # puts top-level sections' NULL parent first on SQLite, last on PostgreSQL.
    return in_document_order(chosen, town.plans.get(year=2026).sections.all())


def test_a_department_fills_the_grid_by_keyboard_and_submits_it(
    seeded_site, xiqu_grid, page, shoot
):
    base = seeded_site.url
    page.goto(base + "/tasks/")
    page.get_by_label("用户名").fill("jingji")
    page.get_by_label("密码").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(base + "/tasks/")
    page.get_by_role("link", name="批量填报（表格或 Excel）").click()
    page.get_by_role("link", name=re.compile("2026年11月")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("批量填报")
    rows = page.locator("table.grid tbody tr")
    expect(rows).to_have_count(len(xiqu_grid))

    # Keyboard only: focus the first value, then type and Tab from cell to cell.
    first = xiqu_grid[0]
    page.locator(f"#id_t{first.pk}-value").focus()
    for number, target in enumerate(xiqu_grid):
        if target.kind == TargetKind.MILESTONE:
            page.keyboard.press("ArrowDown")  # the select: — → 已完成
        else:
            page.keyboard.type(str(10 * (number + 1)))
        page.keyboard.press("Tab")  # the as-of date, prefilled with 2026-11-30: leave it
        page.keyboard.press("Tab")  # the note
        page.keyboard.type(f"第{number + 1}项11月进展")
        page.keyboard.press("Tab")  # the evidence link
        page.keyboard.press("Tab")  # the next row's report link, or after the last row 全部暂存
        if number + 1 < len(xiqu_grid):
            page.keyboard.press("Tab")  # its value
    shoot(page, "26-grid-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, "27-grid-phone")
    page.screenshot(path=str(ARTIFACTS / "27-grid-phone-first-screen.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    # From 全部暂存, Tab to 全部报送 and press Enter.
    expect(page.get_by_role("button", name="全部暂存")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="全部报送")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(base + "/tasks/")
    expect(page.locator(".messages")).to_contain_text("已报送 5 项，待审核")
    shoot(page, "28-grid-submitted")

    reports = {r.target_id: r for r in ProgressReport.objects.all()}
    assert set(reports) == {t.pk for t in xiqu_grid}
    assert {r.state for r in reports.values()} == {ReportState.SUBMITTED}
    assert reports[xiqu_grid[0].pk].value == 10
    assert reports[xiqu_grid[0].pk].as_of == datetime.date(2026, 11, 30)
    milestone = next(t for t in xiqu_grid if t.kind == TargetKind.MILESTONE)
    assert reports[milestone.pk].milestone_done is True
    assert reports[xiqu_grid[1].pk].note == "第2项11月进展"


def test_a_wrong_row_is_marked_and_nothing_is_saved(seeded_site, xiqu_grid, page, shoot):
    base = seeded_site.url
    page.goto(base + "/tasks/")
    page.get_by_label("用户名").fill("jingji")
    page.get_by_label("密码").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(base + "/tasks/")
    november = xiqu_grid[0].plan.periods.get(starts_on=datetime.date(2026, 11, 1))
    page.goto(f"{base}/tasks/grid/{november.pk}/")
    page.locator(f"#id_t{xiqu_grid[0].pk}-value").fill("-5")
    page.locator(f"#id_t{xiqu_grid[1].pk}-value").fill("12")
    page.locator(f"#id_t{xiqu_grid[1].pk}-as_of").fill("2026-13-01")
    page.get_by_role("button", name="全部报送").click()
    expect(page.locator(".form-errors")).to_contain_text("未保存任何内容")
    expect(page.locator("tr.has-errors")).to_have_count(2)
    shoot(page, "29-grid-errors")
    assert not ProgressReport.objects.exists()
