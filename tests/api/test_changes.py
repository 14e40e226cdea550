"""The audit trail: GET /api/{plans,sections,targets,departments}/{id}/changes/ and the admin's history."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from tests import factories
from tracker.choices import Role
from tracker.models import Department, ProgressUpdate, Target
from tracker.services import progress_record, record_edit

pytestmark = pytest.mark.django_db


def patch(client, url: str, body: dict, version: int):
    response = client.patch(url, body, format="json", HTTP_IF_MATCH=f'"{version}"')
    assert response.status_code == 200, response.content
    return response


def test_an_edit_through_the_api_is_listed_with_who_when_and_before_and_after(world, as_editor_a):
    url = f"/api/targets/{world.target_a.pk}/"
    patch(as_editor_a, url, {"value": "3000", "title": "村级工业园拆除"}, version=1)

    response = as_editor_a.get(f"{url}changes/")

    assert response.status_code == 200
    edit, created = response.json()["results"]
    assert (edit["type"], edit["user"], edit["version"]) == ("~", "editor_a", 2)
    assert edit["changes"] == [
        {"field": "title", "before": "村级工业园攻坚拆除", "after": "村级工业园拆除"},
        {"field": "value", "before": "2500.0000", "after": "3000.0000"},
    ]
    assert datetime.datetime.fromisoformat(edit["at"]) >= datetime.datetime.fromisoformat(
        created["at"]
    )
    assert created["type"] == "+"
    assert {"field": "title", "before": None, "after": "村级工业园攻坚拆除"} in created["changes"]
    assert {"field": "section", "before": None, "after": world.section_a.pk} in created["changes"]


def test_helping_departments_are_listed_as_ids_before_and_after(world, as_editor_a):
    other = Department.objects.create(town=world.town_a, name="农业农村办")
    url = f"/api/targets/{world.target_a.pk}/"
    patch(as_editor_a, url, {"helping_departments": [other.pk]}, version=1)
    patch(as_editor_a, url, {"helping_departments": []}, version=2)

    results = as_editor_a.get(f"{url}changes/").json()["results"]

    departments = [
        change
        for record in results
        for change in record["changes"]
        if change["field"] == "helping_departments"
    ]
    assert departments == [
        {"field": "helping_departments", "before": [other.pk], "after": []},
        {"field": "helping_departments", "before": [], "after": [other.pk]},
    ]


@pytest.mark.parametrize(
    ("actor", "shown"),
    [
        ("anonymous", None),
        ("reporter_a", None),  # another town's user
        ("reporter_b", "editor_b"),
        ("region_viewer", "editor_b"),
        ("superuser", "editor_b"),
    ],
)
def test_who_made_a_change_is_shown_only_to_the_towns_side(world, actor, shown):
    section = world.section_b
    patch(world.client("editor_b"), f"/api/sections/{section.pk}/", {"title": "聚焦城市品质"}, 1)

    response = world.client(actor).get(f"/api/sections/{section.pk}/changes/")

    assert response.status_code == 200
    assert response.json()["results"][0]["user"] == shown


@pytest.mark.parametrize("actor", ["anonymous", "reporter_b", "editor_b"])
def test_a_drafts_changes_are_a_404_to_those_who_may_not_read_it(world, actor):
    for url in (
        f"/api/plans/{world.plan_a.pk}/changes/",
        f"/api/sections/{world.section_a.pk}/changes/",
        f"/api/targets/{world.target_a.pk}/changes/",
    ):
        assert world.client(actor).get(url).status_code == 404


@pytest.mark.parametrize("pk", ["abc", "0", "9" * 30])
def test_changes_of_no_such_object_are_a_404(world, pk):
    assert world.client("region_viewer").get(f"/api/targets/{pk}/changes/").status_code == 404


def test_a_plans_and_a_departments_changes(world, as_editor_a):
    patch(as_editor_a, f"/api/plans/{world.plan_a.pk}/", {"status": "active"}, version=1)
    plan = as_editor_a.get(f"/api/plans/{world.plan_a.pk}/changes/").json()["results"]
    assert plan[0]["changes"] == [{"field": "status", "before": "draft", "after": "active"}]

    department = world.department_b
    department.email = "jcj@example.cn"
    department.save()
    response = world.client("anonymous").get(f"/api/departments/{department.pk}/changes/")
    assert response.status_code == 200
    (edit, _created) = response.json()["results"]
    assert edit["changes"] == [{"field": "email", "before": "", "after": "jcj@example.cn"}]
    assert edit["version"] is None  # departments are not versioned


def test_pages_are_diffed_across_their_boundary(world, as_editor_a):
    url = f"/api/targets/{world.target_a.pk}/"
    for version, value in enumerate(["2600", "2700", "2800"], start=1):
        patch(as_editor_a, url, {"value": value}, version=version)

    first = as_editor_a.get(f"{url}changes/?page_size=2").json()
    second = as_editor_a.get(f"{url}changes/?page_size=2&page=2").json()

    assert first["count"] == 4
    values = [record["changes"] for record in first["results"] + second["results"]]
    assert values[:3] == [
        [{"field": "value", "before": "2700.0000", "after": "2800.0000"}],
        [{"field": "value", "before": "2600.0000", "after": "2700.0000"}],
        [{"field": "value", "before": "2500.0000", "after": "2600.0000"}],
    ]
    assert second["results"][-1]["type"] == "+"


@pytest.mark.parametrize("edits", [1, 30])
def test_changes_cost_the_same_queries_for_1_or_30_records(world, django_assert_num_queries, edits):
    target = world.target_a
    departments = [
        Department.objects.create(town=world.town_a, name=f"科室{n}") for n in range(edits)
    ]
    for n in range(edits):
        record_edit(
            instance=target,
            changes={"value": Decimal(3000 + n), "helping_departments": departments[: n + 1]},
            expected_version=None,
            user=world.users["editor_a"],
        )
    client = world.client("region_viewer")
    # savepoint, token + user, memberships, the target ⋈ plan ⋈ town ⋈ region,
    # COUNT, the page ⋈ user, the record before the page, helping departments of
    # the page's records, release; and before the view, the data version (tracker/freshness.py)
    with django_assert_num_queries(9 + 1):
        response = client.get(f"/api/targets/{target.pk}/changes/?page_size=100")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1 + 2 * edits  # creation, then a save and a set each


def test_a_progress_update_is_recorded_in_history_with_its_reporter(world, as_reporter_a):
    response = as_reporter_a.post(
        "/api/progress-updates/bulk/",
        [
            {"target": world.target_a.pk, "as_of": "2024-07-31", "value": "1700"},
            {"target": world.target_a.pk, "as_of": "2024-08-31", "value": "1800"},
        ],
        format="json",
    )
    assert response.status_code == 201

    records = ProgressUpdate.history.filter(id__in=[item["id"] for item in response.json()])
    assert [(r.history_type, r.history_user.username, r.value) for r in records] == [
        ("+", "reporter_a", Decimal("1800.0000")),
        ("+", "reporter_a", Decimal("1700.0000")),
    ]


def test_the_admin_shows_a_targets_history_with_before_and_after(world, as_editor_a, client):
    patch(as_editor_a, f"/api/targets/{world.target_a.pk}/", {"value": "3000"}, version=1)
    staff = factories.UserFactory(username="staff", is_staff=True, is_superuser=True)
    client.force_login(staff)

    response = client.get(f"/admin/tracker/target/{world.target_a.pk}/history/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "editor_a" in page
    assert "2500.0000" in page
    assert "3000.0000" in page


def test_another_towns_staff_get_a_404_for_the_admins_history(world, client):
    staff = factories.UserFactory(username="staff_b", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="tracker"))
    staff.memberships.create(town=world.town_b, role=Role.EDITOR)
    client.force_login(staff)

    mine = client.get(f"/admin/tracker/target/{world.target_b.pk}/history/")
    theirs = client.get(f"/admin/tracker/target/{world.target_a.pk}/history/")

    assert (mine.status_code, theirs.status_code) == (200, 404)


@pytest.mark.parametrize(("town", "status"), [("town_b", 200), ("town_a", 404)])
def test_a_deleted_departments_history_is_shown_to_its_own_towns_staff(world, client, town, status):
    staff = factories.UserFactory(username="staff", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="tracker"))
    staff.memberships.create(town=getattr(world, town), role=Role.EDITOR)
    client.force_login(staff)
    pk = world.department_b.pk
    world.department_b.delete()

    assert client.get(f"/admin/tracker/department/{pk}/history/").status_code == status


def test_moving_the_latest_update_pointer_is_not_an_edit_of_the_target(world):
    # A target written through its model (seed, admin, API) has a creation record.
    target = factories.TargetFactory(section=world.section_b)
    assert [r.history_type for r in Target.history.filter(id=target.pk)] == ["+"]
    progress_record(target=target, as_of=datetime.date(2024, 5, 31), value=Decimal("1"))
    # Moving the latest-update pointer is not an edit of the target (see services).
    assert Target.history.filter(id=target.pk).count() == 1
