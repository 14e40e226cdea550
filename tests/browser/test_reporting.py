"""The reporting workflow in a real browser, on the seed data, on a simulated day.

A department user of 西区街道 signs in, finds January's report due, fills it
in with an evidence file and submits it; the town's reviewer signs in, finds
it on the 督办 page and approves it; the target's progress then counts.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import ARTIFACTS
from tracker.choices import ReportState, Role
from tracker.models import Department, EvidenceFile, Membership, ProgressReport, Target

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
TARGET = "引进优质企业"


@pytest.fixture
def xiqu_reporting(seeded_site, settings):
    """西区街道's 2026 plan with monthly periods; a department leading one target; its users."""
    settings.TRACKER_TODAY = datetime.date(2026, 2, 3)  # January's report is due on 5 February
    call_command("generate_periods", "--town", "xiqu", "--year", "2026")
    target = Target.objects.select_related("plan__town").get(
        plan__town__slug="xiqu", plan__year=2026, title=TARGET
    )
    town = target.plan.town
    department = Department.objects.create(town=town, name="测试用经济发展办公室")
    target.lead_department = department
    target.save()
    reporter = factories.UserFactory(username="jingji")
    Membership.objects.create(user=reporter, town=town, role=Role.REPORTER, department=department)
    reviewer = factories.UserFactory(username="dangzheng")
    Membership.objects.create(user=reviewer, town=town, role=Role.REVIEWER)
    return target


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/tasks/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/tasks/$"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(base + "/tasks/")


def test_a_department_submits_its_report_and_the_reviewer_approves_it(
    seeded_site, xiqu_reporting, page, shoot
):
    base, target = seeded_site.url, xiqu_reporting

    # The department user signs in and sees January's report due soon (yellow).
    sign_in(page, base, "jingji")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的任务")
    # January's, due on 5 February (and February's, under way, due on 5 March).
    expect(page.locator("tr.task", has_text=TARGET)).to_have_count(2)
    january = target.plan.periods.get(starts_on=datetime.date(2026, 1, 1))
    task = page.locator(f'tr.task[data-target="{target.pk}"][data-period="{january.pk}"]')
    expect(task).to_contain_text("2026-02-05")
    expect(task.locator(".warning")).to_contain_text("黄色预警")
    expect(page.locator(".warning-rule")).to_contain_text("红色：填报逾期")
    shoot(page, "20-tasks")

    # The report form: value, note, an evidence file; submit.
    task.get_by_role("link", name="填报").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TARGET)
    page.get_by_label(re.compile("完成值")).fill("3")
    page.get_by_label("说明").fill("1月新引进优质企业3家")
    page.get_by_label("佐证材料").set_input_files(
        {"name": "引进企业名单.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 list"}
    )
    shoot(page, "21-report-form")
    page.get_by_role("button", name="提交审核").click()
    expect(page).to_have_url(base + "/tasks/")
    expect(page.locator(".messages")).to_contain_text("已提交审核")
    expect(
        page.locator("section", has=page.locator("#waiting-title")).locator("tr.task")
    ).to_have_count(1)
    report = ProgressReport.objects.get(target=target)
    assert report.state == ReportState.SUBMITTED
    assert EvidenceFile.objects.get(report=report).name == "引进企业名单.pdf"
    assert Target.objects.get(pk=target.pk).latest_update is None  # not counted yet

    # The reviewer signs in, finds it on the 督办 page, and approves it.
    page.get_by_role("button", name=re.compile("退出")).click()
    sign_in(page, base, "dangzheng")
    page.get_by_role("link", name="督办").first.click()
    expect(page).to_have_url(base + "/duban/")
    waiting = page.locator("tr.waiting", has_text=TARGET)
    expect(waiting).to_contain_text("jingji")
    expect(waiting.get_by_role("link", name="引进企业名单.pdf")).to_be_visible()
    shoot(page, "22-duban")
    waiting.get_by_role("button", name="通过").click()
    expect(page).to_have_url(base + "/duban/")
    expect(page.locator(".messages")).to_contain_text("审核通过")
    expect(page.locator("tr.waiting")).to_have_count(0)
    shoot(page, "23-duban-approved")

    report.refresh_from_db()
    assert (report.state, report.reviewed_by.username) == (ReportState.APPROVED, "dangzheng")
    assert Target.objects.get(pk=target.pk).latest_update.value == Decimal("3")

    # The plan page counts it, and the target's warning is green again.
    page.goto(base + "/towns/xiqu/2026/")
    card = page.locator(f"#target-{target.pk}")
    expect(card.locator(".current")).to_have_text("3家")
    expect(card.locator(".warning")).to_have_attribute("data-warning", "green")
    card.screenshot(path=str(ARTIFACTS / "24-plan-target-flag.png"))
    page.locator(".warning-rule").screenshot(path=str(ARTIFACTS / "25-plan-warning-rule.png"))
