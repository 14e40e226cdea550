"""The reporting workflow over the API: each step, who may take it, and what it answers.

Per step, one status per actor (in the order of tests.workflow.conftest.ACTORS):
the step is taken on a report of the economic office's land target.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from tests.workflow.conftest import ACTORS, YEAR
from tracker.choices import PlanStatus, ReportState, Role
from tracker.models import EvidenceFile, ProgressReport, ProgressUpdate, ReportingPeriod, Target
from tracker.workflow import report_approve, report_return, report_save

pytestmark = pytest.mark.django_db

#            anonymous dept other town editor reviewer region outsider superuser
SAVE = "401 201 400 201 201 403 403 400 201"  # other office's reporter: 400 naming the target
SUBMIT = "401 200 404 200 200 403 403 404 200"  # a reviewer reports nowhere: 403 before lookup
REVIEW = "401 403 403 403 403 200 403 404 200"  # the outsider reviews elsewhere: A's are a 404
UPLOAD = "401 201 404 201 201 403 403 404 201"
READ = "404 200 404 200 200 200 404 404 200"  # the region reads plans, not departments' drafts


def expected(row: str) -> dict[str, int]:
    return dict(zip(ACTORS, map(int, row.split()), strict=True))


def pdf(name: str = "佐证.pdf", body: bytes = b"%PDF-1.4 evidence") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, "application/pdf")


def each_actor(xiqiao, prepare, call) -> dict[str, int]:
    """Call once per actor, each on a fresh report made by `prepare` (then removed again)."""
    codes = {}
    for actor in ACTORS:
        report = prepare()
        codes[actor] = call(xiqiao.client(actor), report).status_code
        EvidenceFile.objects.filter(report__target=xiqiao.land).delete()
        ProgressReport.objects.filter(target=xiqiao.land).delete()
    return codes


def test_who_may_save_a_draft(xiqiao):
    body = {"target": xiqiao.land.pk, "period": xiqiao.periods[0].pk, "value": "100"}
    codes = each_actor(
        xiqiao, lambda: None, lambda client, _report: client.post("/api/reports/", body)
    )
    assert codes == expected(SAVE)


def test_a_draft_for_another_departments_target_is_a_flat_field_error(xiqiao):
    body = {"target": xiqiao.roads.pk, "period": xiqiao.periods[0].pk, "value": "1"}
    response = xiqiao.client("dept_reporter").post("/api/reports/", body)
    assert response.status_code == 400
    assert response.json() == {
        "target": ["You report only on the targets your department leads."]
    }  # not nested as {"target": {"target": [...]}} (issue 15, finding 8)


def test_who_may_submit(xiqiao):
    codes = each_actor(xiqiao, xiqiao.draft, lambda c, r: c.post(f"/api/reports/{r.pk}/submit/"))
    assert codes == expected(SUBMIT)


def test_who_may_approve(xiqiao):
    codes = each_actor(
        xiqiao, xiqiao.submitted, lambda c, r: c.post(f"/api/reports/{r.pk}/approve/")
    )
    assert codes == expected(REVIEW)


def test_who_may_return(xiqiao):
    codes = each_actor(
        xiqiao,
        xiqiao.submitted,
        lambda c, r: c.post(f"/api/reports/{r.pk}/return/", {"reason": "口径有误"}),
    )
    assert codes == expected(REVIEW)


def test_who_may_attach_evidence(xiqiao):
    codes = each_actor(
        xiqiao,
        xiqiao.draft,
        lambda c, r: c.post(f"/api/reports/{r.pk}/evidence/", {"file": pdf()}, format="multipart"),
    )
    assert codes == expected(UPLOAD)


def test_who_may_read_a_draft(xiqiao):
    codes = each_actor(xiqiao, xiqiao.draft, lambda c, r: c.get(f"/api/reports/{r.pk}/"))
    assert codes == expected(READ)


def test_lists_show_only_the_reports_each_user_may_see(xiqiao):
    land = xiqiao.submitted()
    roads = xiqiao.draft("other_reporter", target=xiqiao.roads)

    def ids(actor):
        response = xiqiao.client(actor).get("/api/reports/")
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids("dept_reporter") == {land.pk}
    assert ids("other_reporter") == {roads.pk}
    assert ids("town_reporter") == ids("reviewer") == ids("superuser") == {land.pk, roads.pk}
    assert ids("anonymous") == ids("region_viewer") == ids("outsider") == set()


# --- the steps, end to end ------------------------------------------------------------


def test_draft_submit_approve_and_only_then_the_target_counts_it(xiqiao):
    reporter, reviewer = xiqiao.client("dept_reporter"), xiqiao.client("reviewer")
    target_url = f"/api/targets/{xiqiao.land.pk}/"
    before = reporter.get(target_url).json()["current_value"]

    saved = reporter.post(
        "/api/reports/",
        {
            "target": xiqiao.land.pk,
            "period": xiqiao.periods[5].pk,
            "value": "1641.72",
            "as_of": f"{YEAR}-06-30",
            "note": "上半年完成",
        },
    )
    assert saved.status_code == 201, saved.json()
    report = saved.json()
    assert saved["Location"].endswith(f"/api/reports/{report['id']}/")
    assert (report["state"], report["department"]["name"]) == ("draft", "经济发展办公室")
    again = reporter.post(
        "/api/reports/",
        {"target": xiqiao.land.pk, "period": xiqiao.periods[5].pk, "value": "1641.72"},
    )
    assert (again.status_code, again.json()["id"]) == (200, report["id"])  # the draft, rewritten

    submitted = reporter.post(f"/api/reports/{report['id']}/submit/")
    assert submitted.status_code == 200
    assert submitted.json()["state"] == "submitted"
    assert submitted.json()["submitted_by"] == "jingji"
    assert reporter.get(target_url).json()["current_value"] == before  # not yet counted

    approved = reviewer.post(f"/api/reports/{report['id']}/approve/")
    assert approved.status_code == 200
    body = approved.json()
    assert (body["state"], body["reviewed_by"]) == ("approved", "dangzheng")
    assert body["update"] == ProgressUpdate.objects.get(target=xiqiao.land).pk
    assert reporter.get(target_url).json()["current_value"] == "1641.7200"


def test_a_returned_report_says_why_and_can_be_fixed_and_submitted_again(xiqiao):
    report = xiqiao.submitted()
    reviewer = xiqiao.client("reviewer")
    no_reason = reviewer.post(f"/api/reports/{report.pk}/return/", {"reason": "  "})
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()
    returned = reviewer.post(f"/api/reports/{report.pk}/return/", {"reason": "请补充佐证材料"})
    assert returned.status_code == 200
    assert (returned.json()["state"], returned.json()["return_reason"]) == (
        "returned",
        "请补充佐证材料",
    )
    reporter = xiqiao.client("dept_reporter")
    upload = reporter.post(
        f"/api/reports/{report.pk}/evidence/", {"file": pdf()}, format="multipart"
    )
    assert upload.status_code == 201
    assert upload.json()["url"] == f"/evidence/{upload.json()['id']}/"
    assert reporter.post(f"/api/reports/{report.pk}/submit/").json()["state"] == "submitted"
    assert ProgressReport.objects.get(pk=report.pk).return_reason == ""


@pytest.mark.parametrize(
    ("state", "step", "body"),
    [
        ("draft", "approve", None),
        ("draft", "return", {"reason": "x"}),
        ("submitted", "submit", None),
        ("approved", "submit", None),
        ("approved", "approve", None),
        ("approved", "return", {"reason": "x"}),
        ("returned", "approve", None),
    ],
)
def test_a_step_the_state_does_not_allow_is_a_409(xiqiao, state, step, body):
    report = xiqiao.draft() if state == "draft" else xiqiao.submitted()
    if state == "approved":
        report_approve(user=xiqiao.users["reviewer"], report=report)
    elif state == "returned":
        report_return(user=xiqiao.users["reviewer"], report=report, reason="重报")
    actor = "dept_reporter" if step == "submit" else "reviewer"
    response = xiqiao.client(actor).post(f"/api/reports/{report.pk}/{step}/", body)
    assert response.status_code == 409
    assert response.json()["detail"]
    assert ProgressReport.objects.get(pk=report.pk).state == state


def test_rewriting_a_submitted_report_or_attaching_to_it_is_a_409(xiqiao):
    report = xiqiao.submitted()
    client = xiqiao.client("dept_reporter")
    body = {"target": xiqiao.land.pk, "period": report.period_id, "value": "5"}
    assert client.post("/api/reports/", body).status_code == 409
    upload = client.post(f"/api/reports/{report.pk}/evidence/", {"file": pdf()}, format="multipart")
    assert upload.status_code == 409
    assert not EvidenceFile.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type", "code"),
    [
        ('{"bogus_field": 1}', "application/json", 400),
        ("{not json", "application/json", 400),
        ("[" * 1000 + "]" * 1000, "application/json", 400),
        ('{"note": "' + "a" * 5_300_000 + '"}', "application/json", 413),
    ],
    ids=["unknown-field", "not-json", "nested", "5-mb"],
)
@pytest.mark.parametrize("step", ["approve", "submit"])
def test_a_step_that_takes_no_body_refuses_a_bad_one_and_changes_nothing(
    xiqiao, step, body, content_type, code
):
    # The security probe: approve ignored its body and approved whatever came.
    report = xiqiao.submitted() if step == "approve" else xiqiao.draft()
    actor = "reviewer" if step == "approve" else "dept_reporter"
    response = xiqiao.client(actor).post(
        f"/api/reports/{report.pk}/{step}/", body, content_type=content_type
    )
    assert response.status_code == code
    assert response["Content-Type"] == "application/json"
    report.refresh_from_db()
    assert report.state == (ReportState.SUBMITTED if step == "approve" else ReportState.DRAFT)


def test_a_reviewer_does_not_approve_their_own_submission(xiqiao):
    report = xiqiao.submitted("town_reporter")
    # Made a reviewer after submitting: the report still needs another's approval.
    xiqiao.users["town_reporter"].memberships.create(town=xiqiao.town, role=Role.REVIEWER)
    response = xiqiao.client("town_reporter").post(f"/api/reports/{report.pk}/approve/")
    assert response.status_code == 403
    assert "other than its submitter" in response.json()["detail"]


def test_a_reviewers_own_report_counts_when_submitted_as_through_any_channel(xiqiao):
    # The one submission policy: a reviewer's own entry needs no second review.
    xiqiao.users["reviewer"].memberships.create(town=xiqiao.town, role=Role.REPORTER)
    report = xiqiao.draft("reviewer")
    response = xiqiao.client("reviewer").post(f"/api/reports/{report.pk}/submit/")
    assert response.json()["state"] == "approved"
    assert Target.objects.get(pk=xiqiao.land.pk).latest_update_id == response.json()["update"]


def test_content_that_would_not_make_a_valid_update_is_a_400_naming_the_field(xiqiao):
    client = xiqiao.client("dept_reporter")
    negative = xiqiao.draft(value="-5")
    response = client.post(f"/api/reports/{negative.pk}/submit/")
    assert response.status_code == 400
    assert "value" in response.json()
    milestone = client.post(
        "/api/reports/",
        {"target": xiqiao.lab.pk, "period": xiqiao.periods[0].pk, "value": "1"},
    )
    report = ProgressReport.objects.get(pk=milestone.json()["id"])
    response = client.post(f"/api/reports/{report.pk}/submit/")
    assert response.status_code == 400
    assert set(response.json()) >= {"value", "milestone_done"}


def test_a_period_of_another_plan_is_a_400(xiqiao):
    other_plan_period = ReportingPeriod.objects.create(
        plan=type(xiqiao.plan).objects.create(town=xiqiao.town, year=YEAR - 1, title="2023年"),
        label="2023-01",
        starts_on=datetime.date(YEAR - 1, 1, 1),
        ends_on=datetime.date(YEAR - 1, 1, 31),
        due_on=datetime.date(YEAR - 1, 2, 5),
    )
    response = xiqiao.client("dept_reporter").post(
        "/api/reports/",
        {"target": xiqiao.land.pk, "period": other_plan_period.pk, "value": "1"},
    )
    assert response.status_code == 400
    assert "period" in response.json()


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "Attach a PDF"),
        ("report.pdf", b"MZ\x90\x00 not a pdf", "not a .pdf file"),
        ("empty.pdf", b"", "empty"),
        ("big.pdf", b"%PDF-" + b"0" * 2048, "larger than"),
    ],
)
def test_evidence_of_a_bad_type_or_size_is_a_400(xiqiao, settings, name, body, message):
    settings.TRACKER_EVIDENCE_MAX_BYTES = 1024
    report = xiqiao.draft()
    response = xiqiao.client("dept_reporter").post(
        f"/api/reports/{report.pk}/evidence/",
        {"file": SimpleUploadedFile(name, body, "application/octet-stream")},
        format="multipart",
    )
    assert response.status_code == 400
    assert message in " ".join(response.json()["file"])
    assert not EvidenceFile.objects.exists()


def test_evidence_is_served_to_those_who_see_the_report_only(xiqiao, client):
    report = xiqiao.draft()
    upload = xiqiao.client("dept_reporter").post(
        f"/api/reports/{report.pk}/evidence/", {"file": pdf()}, format="multipart"
    )
    url = upload.json()["url"]
    client.force_login(xiqiao.users["reviewer"])
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 evidence"
    for stranger in ("other_reporter", "outsider", "region_viewer"):
        client.force_login(xiqiao.users[stranger])
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404


def test_with_review_off_a_submission_counts_at_once(xiqiao):
    xiqiao.town.review_required = False
    xiqiao.town.save()
    report = xiqiao.draft()
    response = xiqiao.client("dept_reporter").post(f"/api/reports/{report.pk}/submit/")
    assert response.json()["state"] == "approved"
    assert Target.objects.get(pk=xiqiao.land.pk).latest_update_id == response.json()["update"]


# --- plain progress updates, in a town that reviews them -------------------------------


def update(xiqiao, **fields) -> dict:
    return {"target": xiqiao.land.pk, "as_of": f"{YEAR}-03-31", "value": "600", **fields}


def test_a_reporters_update_is_held_for_review_as_the_periods_report(xiqiao):
    client = xiqiao.client("dept_reporter")
    response = client.post("/api/progress-updates/", update(xiqiao), HTTP_IDEMPOTENCY_KEY="q1")
    assert response.status_code == 202
    body = response.json()
    assert (body["state"], body["period"]) == ("submitted", xiqiao.periods[2].pk)
    assert response["Location"].endswith(f"/api/reports/{body['id']}/")
    assert not ProgressUpdate.objects.exists()  # nothing counts before approval

    retry = client.post("/api/progress-updates/", update(xiqiao), HTTP_IDEMPOTENCY_KEY="q1")
    assert (retry.status_code, retry.json()["id"]) == (200, body["id"])
    assert retry["Idempotent-Replayed"] == "true"
    changed = client.post("/api/progress-updates/", update(xiqiao, value="700"))
    assert changed.status_code == 409
    assert ProgressReport.objects.count() == 1

    approved = xiqiao.client("reviewer").post(f"/api/reports/{body['id']}/approve/")
    assert approved.status_code == 200
    assert Target.objects.get(pk=xiqiao.land.pk).latest_update.value == Decimal("600")


def test_a_returned_reports_period_can_be_reported_again_through_progress_updates(xiqiao):
    report = xiqiao.submitted(period=2)
    report_return(user=xiqiao.users["reviewer"], report=report, reason="数据有误")
    response = xiqiao.client("dept_reporter").post("/api/progress-updates/", update(xiqiao))
    assert (response.status_code, response.json()["id"]) == (202, report.pk)
    assert response.json()["state"] == "submitted"


def test_a_reviewers_update_and_a_review_off_towns_update_count_at_once(xiqiao):
    reviewer = xiqiao.users["reviewer"]
    reviewer.memberships.create(town=xiqiao.town, role=Role.REPORTER)
    response = xiqiao.client("reviewer").post("/api/progress-updates/", update(xiqiao))
    assert response.status_code == 201
    xiqiao.town.review_required = False
    xiqiao.town.save()
    response = xiqiao.client("dept_reporter").post(
        "/api/progress-updates/", update(xiqiao, as_of=f"{YEAR}-04-30", value="800")
    )
    assert response.status_code == 201
    assert Target.objects.get(pk=xiqiao.land.pk).latest_update.value == Decimal("800")
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(
    ("fields", "actor", "field"),
    [
        ({"as_of": "2023-12-31"}, "dept_reporter", "as_of"),  # no period covers it
        ({"quote": "上半年完成"}, "dept_reporter", "quote"),
        ({"target": "roads"}, "dept_reporter", "target"),  # the planning office's target
    ],
)
def test_held_updates_are_checked_like_reports(xiqiao, fields, actor, field):
    if fields.get("target") == "roads":
        fields = {"target": xiqiao.roads.pk}
    response = xiqiao.client(actor).post("/api/progress-updates/", update(xiqiao, **fields))
    assert response.status_code == 400
    assert field in response.json()


def test_a_bulk_submission_is_held_all_together_or_refused_when_mixed(xiqiao, settings):
    client = xiqiao.client("dept_reporter")
    items = [
        update(xiqiao, as_of=f"{YEAR}-01-31", value="100"),
        update(xiqiao, as_of=f"{YEAR}-02-29", value="200"),
        {"target": xiqiao.lab.pk, "as_of": f"{YEAR}-02-29", "milestone_done": False},
    ]
    response = client.post("/api/progress-updates/bulk/", items, format="json")
    assert response.status_code == 202
    assert [row["state"] for row in response.json()] == ["submitted"] * 3
    again = client.post("/api/progress-updates/bulk/", items, format="json")
    assert (again.status_code, again["Idempotent-Replayed"]) == (200, "true")
    assert [row["id"] for row in again.json()] == [row["id"] for row in response.json()]

    # A second town, without review, where the reporter also reports:
    from tests import factories

    open_plan = factories.PlanFactory(year=YEAR)
    open_plan.town.review_required = False
    open_plan.town.save()
    open_target = factories.TargetFactory(section=factories.SectionFactory(plan=open_plan))
    xiqiao.users["dept_reporter"].memberships.create(town=open_plan.town, role=Role.REPORTER)
    mixed = [
        update(xiqiao, as_of=f"{YEAR}-03-31"),
        {"target": open_target.pk, "as_of": f"{YEAR}-03-31", "value": "1"},
    ]
    response = xiqiao.client("dept_reporter").post(
        "/api/progress-updates/bulk/", mixed, format="json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert ProgressReport.objects.count() == 3


def test_a_bulk_item_that_cannot_be_held_names_its_index_and_nothing_is_kept(xiqiao):
    items = [update(xiqiao, as_of=f"{YEAR}-01-31"), update(xiqiao, as_of="2023-06-30")]
    response = xiqiao.client("dept_reporter").post(
        "/api/progress-updates/bulk/", items, format="json"
    )
    assert response.status_code == 400
    assert "as_of" in response.json()["1"]
    assert not ProgressReport.objects.exists()


# --- periods ------------------------------------------------------------------------


def test_generate_fills_in_quarters_then_keeps_them(xiqiao):
    plan = type(xiqiao.plan).objects.create(town=xiqiao.town, year=YEAR + 1, title="2025年")
    editor = xiqiao.client("editor")
    url = f"/api/plans/{plan.pk}/periods/generate/"
    response = editor.post(url, {"frequency": "quarterly", "due_days": 10})
    assert response.status_code == 201
    assert [(p["starts_on"], p["due_on"]) for p in response.json()][:2] == [
        (f"{YEAR + 1}-01-01", f"{YEAR + 1}-04-10"),
        (f"{YEAR + 1}-04-01", f"{YEAR + 1}-07-10"),
    ]
    # Monthly periods would overlap the quarters: nothing is added.
    again = editor.post(url, {"frequency": "monthly"})
    assert (again.status_code, len(again.json())) == (200, 4)
    assert editor.post(url, {"frequency": "weekly"}).status_code == 400


def test_a_custom_period_must_lie_in_the_year_and_overlap_nothing(xiqiao):
    plan = type(xiqiao.plan).objects.create(
        town=xiqiao.town, year=YEAR + 1, title="2025年", status=PlanStatus.ACTIVE
    )
    editor = xiqiao.client("editor")
    body = {
        "plan": plan.pk,
        "label": "上半年",
        "starts_on": f"{YEAR + 1}-01-01",
        "ends_on": f"{YEAR + 1}-06-30",
        "due_on": f"{YEAR + 1}-07-10",
    }
    created = editor.post("/api/periods/", body)
    assert created.status_code == 201
    assert editor.post("/api/periods/", {**body, "label": "重叠"}).status_code == 400
    outside = editor.post("/api/periods/", {**body, "starts_on": f"{YEAR}-12-01"})
    assert outside.status_code == 400
    assert "starts_on" in outside.json()
    listed = xiqiao.client("anonymous").get("/api/periods/", {"plan": plan.pk, "year": YEAR + 1})
    assert [row["label"] for row in listed.json()["results"]] == ["上半年"]
    assert xiqiao.client("anonymous").get("/api/periods/", {"year": "x"}).status_code == 400


def test_report_filters(xiqiao):
    xiqiao.submitted(period=0)
    xiqiao.draft(period=1)
    client = xiqiao.client("reviewer")
    states = client.get("/api/reports/", {"state": "submitted", "town": "xiqiao"}).json()
    assert [row["period"] for row in states["results"]] == [xiqiao.periods[0].pk]
    assert client.get("/api/reports/", {"state": "lost"}).status_code == 400
    ordered = client.get("/api/reports/", {"ordering": "-due_on"}).json()["results"]
    assert [row["period"] for row in ordered] == [xiqiao.periods[1].pk, xiqiao.periods[0].pk]


# --- warnings on targets, and what the lists cost ---------------------------------------


def test_targets_carry_their_warning_while_the_plans_reporting_runs(xiqiao, settings):
    settings.TRACKER_TODAY = datetime.date(YEAR, 2, 3)  # January's report due on 5 February
    client = xiqiao.client("anonymous")
    listed = {row["id"]: row["warning"] for row in client.get("/api/targets/").json()["results"]}
    assert listed[xiqiao.land.pk]["level"] == "yellow"
    assert listed[xiqiao.land.pk]["reasons"] == [f"report due on {YEAR}-02-05"]
    detail = client.get(f"/api/targets/{xiqiao.land.pk}/").json()["warning"]
    assert detail == listed[xiqiao.land.pk]
    settings.TRACKER_TODAY = datetime.date(YEAR - 1, 12, 31)  # before the first period
    assert client.get(f"/api/targets/{xiqiao.land.pk}/").json()["warning"] is None


def many_reports(xiqiao, count: int) -> None:
    """`count` more targets of the economic office, each with a draft; `count` more periods."""
    section = xiqiao.land.section
    for n in range(count):
        factories.PlanFactory(town=xiqiao.town, year=YEAR + 1 + n).periods.create(
            label="全年",
            starts_on=datetime.date(YEAR + 1 + n, 1, 1),
            ends_on=datetime.date(YEAR + 1 + n, 12, 31),
            due_on=datetime.date(YEAR + 2 + n, 1, 10),
        )
        target = factories.TargetFactory(
            section=section, title=f"任务{n}", lead_department=xiqiao.economy
        )
        report_save(
            user=xiqiao.users["dept_reporter"],
            target=target,
            period=xiqiao.periods[n % 12],
            value=Decimal(n),
            as_of=xiqiao.periods[n % 12].ends_on,
        )


@pytest.mark.parametrize("count", [1, 30])
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # savepoint, token, memberships, COUNT, reports ⋈ target ⋈ plan ⋈ town ⋈ period ⋈
        # department ⋈ submitter ⋈ reviewer, their files (prefetch), release
        ("/api/reports/?page_size=100", 7),
        # savepoint, token, memberships, COUNT, periods, release
        ("/api/periods/?page_size=100", 6),
        # as tests/api/test_queries.py's target list (10), less the node schedules (none
        # of these targets has one: not read), plus the reports and the dates of updates
        # that the warnings read once periods have started
        ("/api/targets/?page_size=100", 11),
    ],
)
def test_the_workflows_lists_cost_the_same_for_1_and_30_rows(
    xiqiao, settings, django_assert_num_queries, url, queries, count
):
    settings.TRACKER_TODAY = datetime.date(YEAR, 12, 31)
    many_reports(xiqiao, count)
    client = xiqiao.client("reviewer")
    with django_assert_num_queries(queries + 1):  # + the data version (tracker/freshness.py)
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.json()["results"]) >= count
