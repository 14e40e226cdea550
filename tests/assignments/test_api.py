"""/api/assignments/: give a task, sign for it, read it as each side reads it."""

import pytest

from tests.assignments.conftest import YEAR
from tracker.models import Assignment, Target

pytestmark = pytest.mark.django_db
URL = "/api/assignments/"


def body(world, **fields) -> dict:
    data = {
        "title": "开展安全生产大检查",
        "request": "对辖区内企业开展安全生产隐患排查。",
        "source_kind": "meeting",
        "source_title": "11月9日区政府常务会议",
        "region": world.district.pk,
        "issued_on": f"{YEAR}-11-10",
        "deadline": f"{YEAR}-12-31",
        "towns": [world.a.pk, world.b.pk],
    }
    data.update(fields)
    return data


def test_a_district_editor_gives_a_task_and_reads_both_receipts(world):
    client = world.client("district_editor")
    response = client.post(
        URL, body(world, nodes=[{"due_on": f"{YEAR}-12-15", "name": "整改"}]), format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert response["Location"].endswith(f"{URL}{data['id']}/")
    assert data["assigned_by"] == "南海区"
    assert {r["town"]["name"] for r in data["receipts"]} == {"甲镇", "乙镇"}
    assert {r["state"] for r in data["receipts"]} == {"late"}  # 1 December: past 13 November
    assert all(r["warning"]["level"] == "yellow" for r in data["receipts"])
    for receipt in Target.objects.filter(assignment_id=data["id"]):
        assert [n.name for n in receipt.nodes.all()] == ["整改"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"towns": []}, "receivers"),
        ({"towns": [999999]}, "towns"),
        ({"region": None}, "region"),
        ({"surprise": 1}, "surprise"),
        ({"deadline": f"{YEAR}-11-01"}, "deadline"),
        ({"source_kind": "rumour"}, "source_kind"),
        ({"kind": "quantitative", "value": "5"}, "unit"),
    ],
)
def test_a_bad_task_is_a_400_naming_the_field_and_writes_nothing(world, change, field):
    response = world.client("district_editor").post(URL, body(world, **change), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Assignment.objects.exists()
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("user", "code"), [("anonymous", 401), ("district_viewer", 400), ("a_editor", 400)]
)
def test_who_may_not_give_the_districts_task(world, user, code):
    # The region field only offers the regions one may assign from: for them, none.
    response = world.client(user).post(URL, body(world), format="json")
    assert response.status_code == code, response.content
    assert not Assignment.objects.exists()


def test_sign_then_report_through_the_reports_api(world):
    created = world.client("district_editor").post(URL, body(world), format="json").json()
    sign = f"{URL}{created['id']}/sign/"
    a_editor = world.client("a_editor")
    refused = a_editor.post(sign, {}, format="json")  # a town names its lead department
    assert refused.status_code == 400
    assert "lead_department" in refused.json()
    signed = a_editor.post(
        sign, {"lead_department": world.a_economy.pk, "owner_name": "张伟"}, format="json"
    )
    assert signed.status_code == 200, signed.content
    (mine,) = signed.json()["receipts"]  # a town reads its own receipt only
    assert mine["state"] == "signed"
    assert mine["lead_department"]["name"] == "经济发展办公室"
    assert mine["signed_by"] == "a_editor"
    assert mine["owner_name"] == "张伟"
    again = a_editor.post(sign, {"lead_department": world.a_economy.pk}, format="json")
    assert again.status_code == 409
    b_receipt = Target.objects.get(assignment_id=created["id"], plan__town=world.b)
    stranger = a_editor.post(
        sign, {"receipt": b_receipt.pk, "lead_department": world.a_economy.pk}, format="json"
    )
    assert stranger.status_code == 403
    assert Target.objects.get(pk=b_receipt.pk).signed_at is None
    # Reporting on the receipt is the reports API's, as for any target.
    period = b_receipt.plan.periods.get(starts_on=f"{YEAR}-11-01")
    receipt = Target.objects.get(assignment_id=created["id"], plan__town=world.a)
    report = world.client("a_dept_reporter").post(
        "/api/reports/",
        {
            "target": receipt.pk,
            "period": receipt.plan.periods.get(starts_on=f"{YEAR}-11-01").pk,
            "milestone_done": True,
        },
        format="json",
    )
    assert report.status_code == 201, report.content
    unsigned = world.client("b_editor").post(
        "/api/reports/",
        {"target": b_receipt.pk, "period": period.pk, "milestone_done": True},
        format="json",
    )
    assert unsigned.status_code == 409, unsigned.content  # 乙镇 has not signed for it


def test_each_side_lists_what_it_reads(world):
    world.client("district_editor").post(URL, body(world), format="json")
    counts = {}
    for user in ("anonymous", "outsider", "a_editor", "b_editor", "district_viewer"):
        data = world.client(user).get(URL).json()
        results = data["results"] if isinstance(data, dict) else data
        counts[user] = [len(task["receipts"]) for task in results]
    assert counts == {
        "anonymous": [],
        "outsider": [],
        "a_editor": [1],
        "b_editor": [1],
        "district_viewer": [2],
    }


def test_the_schema_documents_the_assignments_and_sign(world, client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/assignments/" in schema["paths"]
    assert "/api/assignments/{id}/sign/" in schema["paths"]
