"""The workflow's pages: a department's tasks and report form, the reviewers' 督办 and review.

"Today" is TRACKER_TODAY, 10 March 2024: January's and February's reports
(due 5 February and 5 March) are overdue, March's is due on 5 April.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tests.workflow.conftest import YEAR
from tracker.choices import ReportState, Role
from tracker.models import EvidenceFile, Membership, ProgressReport, Target
from tracker.workflow import periods_generate, report_approve, report_return, report_save

pytestmark = pytest.mark.django_db

TODAY = datetime.date(YEAR, 3, 10)


@pytest.fixture(autouse=True)
def _simulated_day(settings):
    settings.TRACKER_TODAY = TODAY


def form_url(target, period) -> str:
    return reverse("reports:report-form", args=[target.pk, period.pk])


def rows(html: str, css: str) -> list[str]:
    return re.findall(rf'<tr class="{css}[^"]*"[^>]*>(.*?)</tr>', html, re.S)


# --- signing in ---------------------------------------------------------------------


def test_the_pages_ask_a_visitor_to_sign_in_on_the_sites_own_page(client, xiqiao):
    response = client.get("/tasks/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/tasks/"
    assert client.get("/duban/").status_code == 302
    assert client.get(form_url(xiqiao.land, xiqiao.periods[0])).status_code == 302


def test_a_department_user_who_is_not_staff_signs_in_and_lands_on_their_tasks(client, xiqiao):
    assert not xiqiao.users["dept_reporter"].is_staff
    response = client.post(
        "/login/", {"username": "jingji", "password": "correct-horse-battery", "next": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == "/tasks/"
    page = client.get("/tasks/").content.decode()
    assert "jingji" in page  # the sign-out button names them
    assert client.post("/logout/").status_code == 302
    assert client.get("/tasks/").status_code == 302


# --- my tasks -----------------------------------------------------------------------


def test_tasks_list_overdue_due_and_returned_reports_of_the_users_department(client, xiqiao):
    returned = xiqiao.submitted(period=1, value="200")
    report_return(user=xiqiao.users["reviewer"], report=returned, reason="请补充佐证材料")
    client.force_login(xiqiao.users["dept_reporter"])
    response = client.get("/tasks/")
    assert response.status_code == 200
    html = response.content.decode()
    # The land target's January report is superseded by February's (returned, so still owed).
    returned_section = html.split('id="returned-title"')[1].split('id="overdue-title"')[0]
    assert "请补充佐证材料" in returned_section
    assert form_url(xiqiao.land, xiqiao.periods[1]) in returned_section
    overdue = html.split('id="overdue-title"')[1].split('id="due-title"')[0]
    assert form_url(xiqiao.lab, xiqiao.periods[0]) in overdue  # the milestone: Jan and Feb
    assert form_url(xiqiao.lab, xiqiao.periods[1]) in overdue
    due = html.split('id="due-title"')[1].split('id="waiting-title"')[0]
    assert form_url(xiqiao.land, xiqiao.periods[2]) in due
    assert form_url(xiqiao.lab, xiqiao.periods[2]) in due
    assert "新建市政道路" not in html  # the planning office's
    assert 'data-warning="red"' in html
    assert "A report counts once it is submitted" in html  # the rule is shown


def test_a_simulated_date_comes_from_settings_never_from_the_request(client, xiqiao):
    client.force_login(xiqiao.users["dept_reporter"])
    html = client.get("/tasks/", {"today": f"{YEAR}-01-02"}).content.decode()
    assert f"as of {TODAY.isoformat()}" in html


# --- the report form ----------------------------------------------------------------


def test_a_department_user_saves_a_draft_then_submits_it_with_evidence(client, xiqiao):
    client.force_login(xiqiao.users["dept_reporter"])
    url = form_url(xiqiao.land, xiqiao.periods[2])
    page = client.get(url)
    assert page.status_code == 200
    assert f'value="{YEAR}-03-10"' in page.content.decode()  # as of: today, within the period

    draft = client.post(
        url, {"value": "620", "as_of": f"{YEAR}-03-08", "note": "三月初", "save": "1"}
    )
    assert draft.status_code == 302
    assert draft["Location"] == url
    report = ProgressReport.objects.get(target=xiqiao.land, period=xiqiao.periods[2])
    assert (report.state, report.value, report.note) == ("draft", Decimal("620"), "三月初")
    assert "Draft saved" in client.get(url).content.decode()

    submitted = client.post(
        url,
        {
            "value": "650",
            "as_of": f"{YEAR}-03-09",
            "note": "三月初",
            "evidence_url": "https://xiqiao.example.gov.cn/notice/1",
            "files": [
                SimpleUploadedFile("现场照片.png", b"\x89PNG\r\n\x1a\n....", "image/png"),
                SimpleUploadedFile("台账.pdf", b"%PDF-1.4 ledger", "application/pdf"),
            ],
            "submit": "1",
        },
    )
    assert submitted.status_code == 302
    assert submitted["Location"] == "/tasks/"
    report.refresh_from_db()
    assert (report.state, report.value, report.submitted_by) == (
        ReportState.SUBMITTED,
        Decimal("650"),
        xiqiao.users["dept_reporter"],
    )
    assert sorted(EvidenceFile.objects.values_list("name", flat=True)) == [
        "台账.pdf",
        "现场照片.png",
    ]
    tasks = client.get("/tasks/").content.decode()
    waiting = tasks.split('id="waiting-title"')[1]
    assert url in waiting
    # Submitted, the report is read only: the page shows it, without a form.
    shown = client.get(url).content.decode()
    assert '<form class="report-form"' not in shown
    assert "650 亩" in shown


def test_a_milestone_is_reported_done_or_not(client, xiqiao):
    client.force_login(xiqiao.users["dept_reporter"])
    url = form_url(xiqiao.lab, xiqiao.periods[2])
    html = client.get(url).content.decode()
    assert 'name="milestone_done"' in html
    assert 'name="value"' not in html
    client.post(url, {"milestone_done": "no", "as_of": f"{YEAR}-03-09", "submit": "1"})
    report = ProgressReport.objects.get(target=xiqiao.lab)
    assert (report.state, report.milestone_done) == (ReportState.SUBMITTED, False)


def test_the_form_submits_through_the_one_policy_a_reviewers_own_report_counts(client, xiqiao):
    reviewer = xiqiao.users["reviewer"]
    Membership.objects.create(user=reviewer, town=xiqiao.town, role=Role.REPORTER)
    client.force_login(reviewer)
    url = form_url(xiqiao.land, xiqiao.periods[2])
    response = client.post(url, {"value": "650", "as_of": f"{YEAR}-03-09", "submit": "1"})
    assert response.status_code == 302
    report = ProgressReport.objects.get(target=xiqiao.land)
    assert (report.state, report.reviewed_by) == (ReportState.APPROVED, reviewer)
    assert Target.objects.get(pk=xiqiao.land.pk).latest_update == report.update
    assert "it counts now" in client.get("/tasks/").content.decode()


def test_content_that_cannot_be_submitted_keeps_the_draft_and_says_why(client, xiqiao):
    client.force_login(xiqiao.users["dept_reporter"])
    url = form_url(xiqiao.land, xiqiao.periods[2])
    response = client.post(url, {"value": "-5", "as_of": f"{YEAR}-03-09", "submit": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be negative" in html
    assert "could not be submitted" in html
    assert ProgressReport.objects.get(target=xiqiao.land).state == ReportState.DRAFT


def test_a_bad_evidence_file_is_refused_and_nothing_is_saved(client, xiqiao):
    client.force_login(xiqiao.users["dept_reporter"])
    url = form_url(xiqiao.land, xiqiao.periods[2])
    response = client.post(
        url,
        {
            "value": "650",
            "files": [SimpleUploadedFile("report.pdf", b"MZ\x90\x00", "application/pdf")],
            "submit": "1",
        },
    )
    assert response.status_code == 400
    assert "report.pdf: The file&#x27;s content is not a .pdf file." in response.content.decode()
    assert not ProgressReport.objects.exists()
    assert not EvidenceFile.objects.exists()


def test_who_may_open_the_report_form(client, xiqiao):
    url = form_url(xiqiao.land, xiqiao.periods[2])
    for actor, code in [
        ("reviewer", 403),  # no report to look at yet (and reviewers do not write them)
        ("dept_reporter", 200),
        ("town_reporter", 200),
        ("editor", 200),
        ("other_reporter", 403),  # the planning office does not report on the land target
        ("outsider", 403),
        ("region_viewer", 403),
    ]:
        client.force_login(xiqiao.users[actor])
        assert client.get(url).status_code == code, actor
        saved = client.post(url, {"value": "1", "save": "1"}).status_code
        assert saved == (302 if code == 200 else code), actor
    assert set(ProgressReport.objects.values_list("updated_by__username", flat=True)) == {
        "xiqiao_office"  # the last of the three who may, each rewriting the same draft
    }
    client.force_login(xiqiao.users["reviewer"])  # now there is a draft to look at
    assert client.get(url).status_code == 200
    assert client.post(url, {"value": "2", "save": "1"}).status_code == 403
    client.force_login(xiqiao.users["dept_reporter"])
    elsewhere = factories.PlanFactory(year=YEAR)
    other_period = periods_generate(plan=elsewhere)[0]
    assert client.get(form_url(xiqiao.land, other_period)).status_code == 404


def test_a_reviewer_sees_a_submitted_report_read_only_with_a_link_to_review_it(client, xiqiao):
    report = xiqiao.submitted(period=2)
    client.force_login(xiqiao.users["reviewer"])
    html = client.get(form_url(xiqiao.land, xiqiao.periods[2])).content.decode()
    assert reverse("reports:review", args=[report.pk]) in html
    assert 'class="report-form"' not in html


# --- 督办 and review ----------------------------------------------------------------


def test_duban_lists_what_is_overdue_or_behind_with_colour_and_reason(client, xiqiao):
    xiqiao.submitted(period=2)  # the land target reported March: nothing overdue for it
    client.force_login(xiqiao.users["reviewer"])
    response = client.get("/duban/")
    assert response.status_code == 200
    html = response.content.decode()
    chased = rows(html, "chased")
    titles = [re.search(r'/targets/\d+/">([^<]+)<', row).group(1) for row in chased]
    assert sorted(titles) == ["新建市政道路", "确保实验室年内开园"]
    assert all('data-warning="red"' in row for row in chased)
    assert "report overdue since 2024-02-05" in html
    assert "A report counts once it is submitted" in html
    waiting = rows(html, "waiting")
    assert len(waiting) == 1
    assert "村级工业园攻坚拆除" in waiting[0]


@pytest.mark.parametrize("sort", ["warning", "-warning", "due", "-due", "town", "status", "state"])
def test_duban_sorts_by_its_columns(client, xiqiao, sort):
    land = Target.objects.get(pk=xiqiao.land.pk)
    xiqiao.submitted(period=0)  # land: February (due 5 March) overdue; the others: January
    client.force_login(xiqiao.users["reviewer"])
    html = client.get("/duban/", {"sort": sort}).content.decode()
    order = [int(n) for n in re.findall(r'<tr class="chased[^"]*" data-target="(\d+)"', html)]
    assert sorted(order) == sorted([land.pk, xiqiao.lab.pk, xiqiao.roads.pk])
    if sort == "due":
        assert order[-1] == land.pk  # due 5 March, after the others' 5 February
    if sort == "-due":
        assert order[0] == land.pk
    assert f'aria-sort="{"descending" if sort.startswith("-") else "ascending"}"' in html


def test_duban_is_for_reviewers(client, xiqiao):
    client.force_login(xiqiao.users["dept_reporter"])
    assert client.get("/duban/").status_code == 403


def test_a_reviewer_approves_from_duban_and_the_update_counts(client, xiqiao):
    report = xiqiao.submitted(period=2, value="650")
    client.force_login(xiqiao.users["reviewer"])
    response = client.post(reverse("reports:review", args=[report.pk]), {"action": "approve"})
    assert response.status_code == 302
    assert response["Location"] == "/duban/"
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED
    assert Target.objects.get(pk=xiqiao.land.pk).latest_update.value == Decimal("650")
    assert "Approved" in client.get("/duban/").content.decode()


def test_a_reviewer_returns_with_a_reason_and_a_reason_is_required(client, xiqiao):
    report = xiqiao.submitted(period=2)
    client.force_login(xiqiao.users["reviewer"])
    url = reverse("reports:review", args=[report.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "100 亩" in page.content.decode()
    refused = client.post(url, {"action": "return", "reason": " "})
    assert refused.status_code == 400
    assert "Say why the report is returned." in refused.content.decode()
    client.post(url, {"action": "return", "reason": "数据口径有误"})
    report.refresh_from_db()
    assert (report.state, report.return_reason, report.reviewed_by) == (
        ReportState.RETURNED,
        "数据口径有误",
        xiqiao.users["reviewer"],
    )
    again = client.post(url, {"action": "approve"})
    assert again.status_code == 409


def test_who_may_review(client, xiqiao):
    report = xiqiao.submitted(period=2)
    url = reverse("reports:review", args=[report.pk])
    for actor, code in [
        ("dept_reporter", 403),
        ("town_reporter", 403),
        ("other_reporter", 404),
        ("outsider", 404),
        ("region_viewer", 404),
        ("reviewer", 200),
    ]:
        client.force_login(xiqiao.users[actor])
        assert client.get(url).status_code == code, actor
    client.force_login(xiqiao.users["dept_reporter"])
    assert client.post(url, {"action": "approve"}).status_code == 403
    assert ProgressReport.objects.get(pk=report.pk).state == ReportState.SUBMITTED


def test_a_reviewer_may_not_approve_their_own_submission(client, xiqiao):
    report = xiqiao.submitted("town_reporter", period=2)
    # Made a reviewer after submitting: the report still needs another's approval.
    Membership.objects.create(
        user=xiqiao.users["town_reporter"], town=xiqiao.town, role=Role.REVIEWER
    )
    client.force_login(xiqiao.users["town_reporter"])
    response = client.post(reverse("reports:review", args=[report.pk]), {"action": "approve"})
    assert response.status_code == 403
    assert "other than its submitter" in response.content.decode()


# --- the plan page's flags ------------------------------------------------------------


def test_the_plan_page_flags_targets_while_their_plan_is_reported_on(client, xiqiao, settings):
    url = reverse("reports:plan", args=[xiqiao.town.slug, YEAR])
    xiqiao.submitted(period=2, value="500")  # 20% by 10 March: on track
    report_approve(user=xiqiao.users["reviewer"], report=ProgressReport.objects.get())
    html = client.get(url).content.decode()
    land_card = html.split(f'id="target-{xiqiao.land.pk}"')[1].split("</li>")[0]
    lab_card = html.split(f'id="target-{xiqiao.lab.pk}"')[1].split("</li>")[0]
    assert 'data-warning="red"' in lab_card  # overdue since 5 February
    assert 'data-warning="red"' not in land_card
    assert "Reporting warnings" in html
    settings.TRACKER_TODAY = datetime.date(YEAR - 1, 12, 31)  # before the first period
    assert "data-warning" not in client.get(url).content.decode()


# --- queries ------------------------------------------------------------------------


def many_targets(xiqiao, count: int) -> None:
    """`count` more targets led by the economic office, each with a report waiting for review."""
    section = xiqiao.land.section
    for n in range(count - 1):
        target = factories.TargetFactory(
            section=section, title=f"任务{n}", lead_department=xiqiao.economy
        )
        report_save(
            user=xiqiao.users["dept_reporter"],
            target=target,
            period=xiqiao.periods[2],
            value=Decimal(n),
            as_of=datetime.date(YEAR, 3, 9),
        )
        ProgressReport.objects.filter(target=target).update(
            state=ReportState.SUBMITTED, submitted_by=xiqiao.users["dept_reporter"]
        )


@pytest.mark.parametrize("count", [1, 30])
def test_tasks_page_queries_do_not_grow_with_tasks(
    client, xiqiao, django_assert_num_queries, count
):
    many_targets(xiqiao, count)
    client.force_login(xiqiao.users["dept_reporter"])
    # savepoint, session, user, memberships, the targets, their nodes, their
    # periods, their reports, their updates' dates, release
    with django_assert_num_queries(10):
        response = client.get("/tasks/")
    assert response.status_code == 200
    assert response.content.decode().count('class="task"') >= count


@pytest.mark.parametrize("count", [1, 30])
def test_duban_queries_do_not_grow_with_rows(client, xiqiao, django_assert_num_queries, count):
    many_targets(xiqiao, count)
    xiqiao.submitted(period=2)
    client.force_login(xiqiao.users["reviewer"])
    # savepoint, session, user, memberships, the targets, their rows for the cards
    # and statuses (tracker.selectors.rows_of: the targets, node schedules, helping
    # departments, sections, periods, reports, updates' dates), their periods, their
    # reports, their updates' dates, the reports waiting, their files, their targets'
    # node schedules (the numbers' status), release; the rows' node schedules are read
    # only where a target has one (none here)
    with django_assert_num_queries(18):
        response = client.get("/duban/", {"sort": "town"})
    assert response.status_code == 200
    assert response.content.decode().count('class="waiting"') == count


@pytest.mark.parametrize("count", [1, 30])
def test_report_form_and_review_pages_read_a_fixed_number_of_queries(
    client, xiqiao, django_assert_num_queries, count
):
    many_targets(xiqiao, count)
    report = xiqiao.submitted(period=2)
    client.force_login(xiqiao.users["reviewer"])
    # savepoint, session, user, memberships, the report with its target, town,
    # period, department and people, its files, the target's row for its card
    # (tracker.selectors.rows_of: 6 with its plan's reporting started; its node schedule
    # is not read, since it has none), release
    with django_assert_num_queries(13):
        assert client.get(reverse("reports:review", args=[report.pk])).status_code == 200


@pytest.mark.parametrize("count", [1, 30])
def test_plan_page_with_warnings_reads_a_fixed_number_of_queries(
    client, xiqiao, django_assert_num_queries, count
):
    many_targets(xiqiao, count)
    url = reverse("reports:plan", args=[xiqiao.town.slug, YEAR])
    # tests/reports/test_queries.py's twelve less the node schedules (none here: not
    # read), plus the warnings' two: the reports and the dates of the targets' updates;
    # and the data version (tracker/freshness.py)
    with django_assert_num_queries(13 + 1):
        html = client.get(url).content.decode()
    assert html.count("data-warning=") == count + 2


def test_duban_groups_by_leader_in_charge(client, xiqiao):
    Target.objects.filter(pk=xiqiao.roads.pk).update(leader_name="李明", owner_name="张伟")
    Target.objects.filter(pk=xiqiao.land.pk).update(leader_name="陈刚")
    xiqiao.submitted(period=0)
    client.force_login(xiqiao.users["reviewer"])
    html = client.get("/duban/", {"sort": "leader"}).content.decode()
    order = [int(n) for n in re.findall(r'<tr class="chased[^"]*" data-target="(\d+)"', html)]
    # By the leader's name (李 before 陈 in code-point order), those without one last.
    assert order == [xiqiao.roads.pk, xiqiao.land.pk, xiqiao.lab.pk]
    assert "responsible: 张伟" in html
