"""A target's node schedule through the API: read with the target, written with its If-Match."""

import datetime

import pytest

from tracker.models import Target, TargetNode

pytestmark = pytest.mark.django_db

# 西樵's 2500 亩: 1641.72 by 30 June (65.67%). On 1 July half the year has gone (on
# track by the straight line); a schedule asking 90% by June puts it at risk.
FRONT_LOADED = [
    {"due_on": "2024-03-31", "planned_percent": "40"},
    {"due_on": "2024-06-30", "planned_value": "2250"},
]


@pytest.fixture(autouse=True)
def _first_of_july(settings):
    settings.TRACKER_TODAY = datetime.date(2024, 7, 1)


def url(world) -> str:
    return f"/api/targets/{world.target_a.pk}/"


def test_an_editor_writes_the_schedule_with_the_targets_version_and_the_status_follows(
    world, as_editor_a
):
    before = as_editor_a.get(url(world))
    assert (before.json()["status"], before.json()["nodes"]) == ("on_track", [])
    response = as_editor_a.patch(
        url(world), {"nodes": FRONT_LOADED}, format="json", HTTP_IF_MATCH=before["ETag"]
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "at_risk"
    assert [(n["due_on"], n["planned_percent"], n["planned_value"]) for n in body["nodes"]] == [
        ("2024-03-31", "40.00", None),
        ("2024-06-30", None, "2250.0000"),
    ]
    assert body["version"] == 2
    assert response["ETag"] == '"2"'
    assert TargetNode.objects.get(due_on="2024-03-31").created_by == world.users["editor_a"]
    # The list reads the same rows: the same status there.
    listed = as_editor_a.get("/api/targets/", {"town": "xiqiao"}).json()["results"]
    assert [row["status"] for row in listed if row["id"] == world.target_a.pk] == ["at_risk"]


def test_a_stale_version_changes_no_node(world, as_editor_a):
    as_editor_a.patch(url(world), {"value": "2600"}, format="json", HTTP_IF_MATCH='"1"')
    response = as_editor_a.patch(
        url(world), {"nodes": FRONT_LOADED}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 412
    assert not TargetNode.objects.exists()


def test_a_schedule_that_falls_is_a_400_under_nodes_and_nothing_changes(world, as_editor_a):
    falling = [
        {"due_on": "2024-03-31", "planned_percent": "60"},
        {"due_on": "2024-06-30", "planned_percent": "50"},
    ]
    response = as_editor_a.patch(url(world), {"nodes": falling}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 400
    assert "nodes" in response.json()
    assert not TargetNode.objects.exists()
    assert Target.objects.get(pk=world.target_a.pk).version == 1


def test_a_node_that_breaks_its_own_rule_is_named_by_its_number(world, as_editor_a):
    bad = [
        {"due_on": "2024-03-31", "planned_percent": "20"},
        {"due_on": "2024-06-30", "planned_percent": "50", "name": "开工"},
    ]
    response = as_editor_a.patch(url(world), {"nodes": bad}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 400
    assert any(message.startswith("2: ") for message in response.json()["nodes"])
    assert not TargetNode.objects.exists()


def test_nodes_left_out_stay_and_an_empty_list_removes_them(world, as_editor_a):
    as_editor_a.patch(url(world), {"nodes": FRONT_LOADED}, format="json", HTTP_IF_MATCH='"1"')
    kept = as_editor_a.patch(url(world), {"title": "拆除"}, format="json", HTTP_IF_MATCH='"2"')
    assert len(kept.json()["nodes"]) == 2
    cleared = as_editor_a.patch(url(world), {"nodes": []}, format="json", HTTP_IF_MATCH='"3"')
    assert (cleared.json()["nodes"], cleared.json()["status"]) == ([], "on_track")


def test_a_reporter_may_not_write_the_schedule(world, as_reporter_a):
    response = as_reporter_a.patch(
        url(world), {"nodes": FRONT_LOADED}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 403
    assert not TargetNode.objects.exists()


def test_the_same_schedule_sent_again_changes_nothing(world, as_editor_a):
    as_editor_a.patch(url(world), {"nodes": FRONT_LOADED}, format="json", HTTP_IF_MATCH='"1"')
    first = list(TargetNode.objects.values_list("pk", flat=True))
    again = as_editor_a.patch(
        url(world), {"nodes": FRONT_LOADED}, format="json", HTTP_IF_MATCH='"2"'
    )
    assert again.status_code == 200
    assert again["ETag"] == '"2"'
    assert list(TargetNode.objects.values_list("pk", flat=True)) == first


def test_a_target_is_created_with_its_schedule(world, as_editor_a):
    body = {
        "section": world.target_a.section_id, "position": 9, "title": "新增用地",
        "kind": "quantitative", "comparison": "ge", "value": "100", "unit": "亩",
        "nodes": [{"due_on": "2024-06-30", "planned_percent": "50"}],
    }  # fmt: skip
    response = as_editor_a.post("/api/targets/", body, format="json")
    assert response.status_code == 201, response.json()
    assert [node["planned_percent"] for node in response.json()["nodes"]] == ["50.00"]
    assert response.json()["version"] == 1
