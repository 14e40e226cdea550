"""Writing through the API: progress (single, bulk, idempotent) and version-checked edits."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from tests import factories
from tracker.models import Plan, ProgressUpdate, Target
from tracker.services import progress_record

pytestmark = pytest.mark.django_db


def update_body(world, **changes) -> dict:
    return {"target": world.target_a.pk, "as_of": "2024-09-30", "value": "2100", **changes}


# --- progress ------------------------------------------------------------------------


def test_a_reporter_submits_progress_and_it_becomes_current(world, as_reporter_a):
    response = as_reporter_a.post("/api/progress-updates/", update_body(world, note="三季度"))
    assert response.status_code == 201, response.json()
    update = ProgressUpdate.objects.get(pk=response.json()["id"])
    assert update.reported_by == world.users["reporter_a"]
    assert Target.objects.get(pk=world.target_a.pk).latest_update == update
    assert response.json()["reported_by"] == "reporter_a"


def test_the_reporter_and_timestamps_are_not_the_clients_to_set(world, as_reporter_a):
    body = update_body(
        world, reported_by=world.users["editor_a"].pk, reported_at="2020-01-01T00:00:00Z", id=999
    )
    update = ProgressUpdate.objects.get(
        pk=as_reporter_a.post("/api/progress-updates/", body).json()["id"]
    )
    assert update.pk != 999
    assert update.reported_by == world.users["reporter_a"]
    assert update.reported_at.year == timezone.now().year


def test_a_retry_with_the_same_client_key_records_once(world, as_reporter_a):
    body = update_body(world, client_key="2024-09-xiqiao-1")
    first = as_reporter_a.post("/api/progress-updates/", body)
    again = as_reporter_a.post("/api/progress-updates/", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert world.target_a.updates.count() == 2  # the world's June update and this one


def test_the_idempotency_key_header_works_like_the_field(world, as_reporter_a):
    first = as_reporter_a.post(
        "/api/progress-updates/", update_body(world), HTTP_IDEMPOTENCY_KEY="abc-123"
    )
    again = as_reporter_a.post(
        "/api/progress-updates/", update_body(world), HTTP_IDEMPOTENCY_KEY="abc-123"
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]


def test_a_key_reused_for_a_different_update_is_refused(world, as_reporter_a):
    as_reporter_a.post("/api/progress-updates/", update_body(world, client_key="k"))
    response = as_reporter_a.post(
        "/api/progress-updates/", update_body(world, client_key="k", value="2200")
    )
    assert response.status_code == 422
    assert "client_key" in response.json()
    assert world.target_a.updates.count() == 2


def test_a_key_in_the_body_and_another_in_the_header_is_refused(world, as_reporter_a):
    response = as_reporter_a.post(
        "/api/progress-updates/", update_body(world, client_key="a"), HTTP_IDEMPOTENCY_KEY="b"
    )
    assert response.status_code == 400
    assert "client_key" in response.json()


def test_a_milestone_takes_done_not_a_number(world, as_reporter_a):
    milestone = factories.MilestoneFactory(section=world.section_a)
    response = as_reporter_a.post(
        "/api/progress-updates/", {"target": milestone.pk, "as_of": "2024-06-30", "value": "1"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"value", "milestone_done"}


def test_progress_on_another_towns_target_is_a_field_error(world, as_reporter_a):
    response = as_reporter_a.post(
        "/api/progress-updates/", update_body(world, target=world.target_b.pk)
    )
    assert response.status_code == 400
    assert list(response.json()) == ["target"]
    assert world.target_b.updates.count() == 1


def test_a_correction_must_be_of_the_same_target(world, as_editor_a):
    other = factories.TargetFactory(section=world.section_a)
    response = as_editor_a.post(
        "/api/progress-updates/", update_body(world, target=other.pk, corrects=world.update_a.pk)
    )
    assert response.status_code == 400
    assert list(response.json()) == ["corrects"]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_progress_updates_are_never_changed_or_deleted(world, as_editor_a, method):
    response = getattr(as_editor_a, method)(
        f"/api/progress-updates/{world.update_a.pk}/", {"value": "1"}
    )
    assert response.status_code == 405
    assert ProgressUpdate.objects.get(pk=world.update_a.pk).value == Decimal("1641.72")


# --- bulk progress --------------------------------------------------------------------


@pytest.fixture
def second_target(world):
    return factories.TargetFactory(section=world.section_a, title="新增公办学位", unit="个")


def test_a_monthly_report_of_many_targets_is_recorded_together(world, second_target):
    client = world.client("reporter_a")
    response = client.post(
        "/api/progress-updates/bulk/",
        [update_body(world), update_body(world, target=second_target.pk, value="300")],
    )
    assert response.status_code == 201, response.json()
    assert [row["target"] for row in response.json()] == [world.target_a.pk, second_target.pk]
    assert Target.objects.get(pk=second_target.pk).latest_update.value == Decimal("300")


def test_one_bad_item_records_nothing_and_says_which(world, second_target):
    client = world.client("reporter_a")
    response = client.post(
        "/api/progress-updates/bulk/",
        [
            update_body(world),
            update_body(world, target=second_target.pk, as_of="2023-12-31"),  # not in the year
            update_body(world, target=second_target.pk, value="300"),
        ],
    )
    assert response.status_code == 400
    assert list(response.json()) == ["1"]
    assert "as_of" in response.json()["1"]
    assert ProgressUpdate.objects.count() == 2  # the world's two, nothing more


def test_bulk_field_errors_are_keyed_by_index(world):
    response = world.client("reporter_a").post(
        "/api/progress-updates/bulk/",
        [update_body(world), update_body(world, value="abc"), update_body(world, as_of="June")],
    )
    assert response.status_code == 400
    assert set(response.json()) == {"1", "2"}
    assert "value" in response.json()["1"]
    assert "as_of" in response.json()["2"]


def test_bulk_with_a_target_of_another_town_records_nothing(world):
    response = world.client("reporter_a").post(
        "/api/progress-updates/bulk/",
        [update_body(world), update_body(world, target=world.target_b.pk)],
    )
    assert response.status_code == 400
    assert list(response.json()) == ["1"]
    assert ProgressUpdate.objects.count() == 2


def test_a_retried_bulk_report_records_once(world, second_target):
    client = world.client("reporter_a")
    body = [update_body(world), update_body(world, target=second_target.pk, value="300")]
    first = client.post("/api/progress-updates/bulk/", body, HTTP_IDEMPOTENCY_KEY="2024-09")
    again = client.post("/api/progress-updates/bulk/", body, HTTP_IDEMPOTENCY_KEY="2024-09")
    assert (first.status_code, again.status_code) == (201, 200)
    assert (first.get("Idempotent-Replayed"), again["Idempotent-Replayed"]) == (None, "true")
    assert [r["id"] for r in again.json()] == [r["id"] for r in first.json()]
    assert ProgressUpdate.objects.count() == 4


@pytest.mark.parametrize(
    "body",
    [[], {"target": 1}, "not a list", [{}] * 501],
    ids=["empty", "an-object", "a-string", "too-many"],
)
def test_bulk_needs_a_list_of_one_to_five_hundred(world, body):
    response = world.client("reporter_a").post("/api/progress-updates/bulk/", body, format="json")
    assert response.status_code == 400


# --- editing with If-Match --------------------------------------------------------------


def test_an_editor_edits_a_target_with_the_version_read(world, as_editor_a):
    url = f"/api/targets/{world.target_a.pk}/"
    etag = as_editor_a.get(url)["ETag"]
    response = as_editor_a.patch(url, {"value": "3000"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    assert (response.json()["value"], response.json()["version"]) == ("3000.0000", 2)
    assert response["ETag"] == '"2"'
    target = Target.objects.get(pk=world.target_a.pk)
    assert target.updated_by == world.users["editor_a"]


def test_a_weak_etag_is_accepted(world, as_editor_a):
    response = as_editor_a.patch(
        f"/api/plans/{world.plan_a.pk}/", {"theme": "产业重塑"}, HTTP_IF_MATCH='W/"1"'
    )
    assert response.status_code == 200


def test_a_stale_edit_gets_412_and_changes_nothing(world, as_editor_a):
    url = f"/api/targets/{world.target_a.pk}/"
    as_editor_a.patch(url, {"value": "3000"}, HTTP_IF_MATCH='"1"')
    response = as_editor_a.patch(url, {"value": "9999"}, HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    assert response.json()["current_version"] == 2
    target = Target.objects.get(pk=world.target_a.pk)
    assert (target.value, target.version) == (Decimal("3000"), 2)


def test_an_edit_without_if_match_is_refused(world, as_editor_a):
    response = as_editor_a.patch(f"/api/plans/{world.plan_a.pk}/", {"title": "改"})
    assert response.status_code == 428
    assert Plan.objects.get(pk=world.plan_a.pk).version == 1


@pytest.mark.parametrize("header", ['"abc"', "*", '"1", "2"'])
def test_an_if_match_that_is_not_one_version_is_a_400(world, as_editor_a, header):
    response = as_editor_a.patch(
        f"/api/plans/{world.plan_a.pk}/", {"title": "改"}, HTTP_IF_MATCH=header
    )
    assert response.status_code == 400
    assert "If-Match" in response.json()


def test_an_invalid_edit_changes_nothing_not_even_the_version(world, as_editor_a):
    response = as_editor_a.patch(
        f"/api/targets/{world.target_a.pk}/", {"kind": "milestone"}, HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400
    assert {"value", "unit", "comparison"} <= set(response.json())
    assert Target.objects.get(pk=world.target_a.pk).version == 1


def test_version_owner_and_timestamps_are_read_only(world, as_editor_a):
    # Read-only fields sent back are ignored; one the resource does not show is unknown.
    response = as_editor_a.patch(
        f"/api/plans/{world.plan_a.pk}/",
        {"version": 99, "created_at": "2000-01-01", "title": "西樵镇2024年工作要点"},
        HTTP_IF_MATCH='"1"',
    )
    plan = Plan.objects.get(pk=world.plan_a.pk)
    assert response.json()["version"] == plan.version == 2
    assert plan.created_at.year != 2000
    refused = as_editor_a.patch(
        f"/api/plans/{world.plan_a.pk}/",
        {"created_by": world.users["superuser"].pk},
        HTTP_IF_MATCH='"2"',
    )
    assert refused.status_code == 400
    assert "created_by" in refused.json()
    assert Plan.objects.get(pk=world.plan_a.pk).created_by is None


def test_a_plan_stays_in_its_town(world, as_editor_a):
    as_editor_a.patch(
        f"/api/plans/{world.plan_a.pk}/", {"town": world.town_b.pk}, HTTP_IF_MATCH='"1"'
    )
    assert Plan.objects.get(pk=world.plan_a.pk).town == world.town_a


def test_an_editor_may_not_edit_another_towns_published_plan(world, as_editor_a):
    response = as_editor_a.patch(
        f"/api/plans/{world.plan_b.pk}/", {"title": "改"}, HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 403


# --- creating, and foreign keys into another town -----------------------------------------


def test_an_editor_creates_a_plan_for_their_town(world, as_editor_a):
    response = as_editor_a.post(
        "/api/plans/", {"town": world.town_a.pk, "year": 2025, "title": "2025年工作计划"}
    )
    assert response.status_code == 201, response.json()
    assert response["ETag"] == '"1"'
    assert response["Location"].endswith(f"/api/plans/{response.json()['id']}/")
    plan = Plan.objects.get(pk=response.json()["id"])
    assert (plan.created_by, plan.status) == (world.users["editor_a"], "draft")


def test_a_second_plan_for_the_same_year_is_a_400(world, as_editor_a):
    response = as_editor_a.post(
        "/api/plans/", {"town": world.town_a.pk, "year": 2024, "title": "重复"}
    )
    assert response.status_code == 400
    (unique,) = [c for c in Plan._meta.constraints if c.name == "tracker_plan_unique_town_year"]
    with translation.override(response["Content-Language"]):
        assert response.json() == {"non_field_errors": [str(unique.violation_error_message)]}


def test_a_plan_for_another_town_is_a_field_error(world, as_editor_a):
    response = as_editor_a.post(
        "/api/plans/", {"town": world.town_b.pk, "year": 2025, "title": "越权"}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["town"]


def test_a_target_takes_its_plan_from_its_section(world, as_editor_a):
    response = as_editor_a.post(
        "/api/targets/",
        {"section": world.section_a.pk, "position": 50, "title": "开园", "kind": "milestone"},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["plan"] == world.plan_a.pk


def test_a_section_of_another_towns_plan_is_a_field_error(world, as_editor_a):
    response = as_editor_a.post(
        "/api/targets/",
        {"section": world.section_b.pk, "position": 50, "title": "开园", "kind": "milestone"},
    )
    assert response.status_code == 400
    assert list(response.json()) == ["section"]


def test_a_target_cannot_move_into_another_plan(world, as_editor_a):
    other_plan = factories.PlanFactory(town=world.town_a, year=2025)
    other_section = factories.SectionFactory(plan=other_plan)
    response = as_editor_a.patch(
        f"/api/targets/{world.target_a.pk}/", {"section": other_section.pk}, HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400
    assert list(response.json()) == ["section"]


@pytest.mark.parametrize("field", ["lead_department", "helping_departments"])
def test_a_department_of_another_town_is_a_field_error(world, as_editor_a, field):
    value = world.department_b.pk if field == "lead_department" else [world.department_b.pk]
    response = as_editor_a.patch(
        f"/api/targets/{world.target_a.pk}/", {field: value}, HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Target.objects.get(pk=world.target_a.pk).version == 1


def test_a_parent_section_of_another_plan_is_a_field_error(world, as_editor_a):
    other_plan = factories.PlanFactory(town=world.town_a, year=2025)
    response = as_editor_a.post(
        "/api/sections/",
        {"plan": other_plan.pk, "parent": world.section_a.pk, "position": 1, "title": "子"},
    )
    assert response.status_code == 400
    assert list(response.json()) == ["parent"]


def test_provenance_must_be_one_of_the_plans_documents(world, as_editor_a):
    elsewhere = factories.SourceDocumentFactory()
    world.plan_b.documents.add(elsewhere)
    response = as_editor_a.patch(
        f"/api/targets/{world.target_a.pk}/",
        {"source_document": elsewhere.pk, "quote": "完成拆除2500亩"},
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 400
    assert list(response.json()) == ["source_document"]


def test_a_quote_must_be_verbatim(world, as_editor_a):
    document = factories.SourceDocumentFactory()
    world.plan_a.documents.add(document)
    response = as_editor_a.patch(
        f"/api/targets/{world.target_a.pk}/",
        {"source_document": document.pk, "quote": "这句话不在文件里"},
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 400
    assert list(response.json()) == ["quote"]


def test_progress_history_is_kept_when_a_target_is_edited(world, as_editor_a):
    progress_record(target=world.target_a, as_of=datetime.date(2024, 9, 30), value=Decimal("2000"))
    as_editor_a.patch(f"/api/targets/{world.target_a.pk}/", {"title": "拆除"}, HTTP_IF_MATCH='"1"')
    assert world.target_a.updates.count() == 2
