"""交办 pages: the assigner's page, signing in the browser's form, giving a task."""

import pytest
from django.test import Client

from tests.assignments.conftest import YEAR, task
from tracker.assignments import assignment_create
from tracker.models import Assignment, Target

pytestmark = pytest.mark.django_db


def signed_in(world, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


@pytest.fixture
def given(world) -> Assignment:
    return assignment_create(
        user=world.users["district_editor"], assignment=task(world), receivers=[world.a, world.b]
    )


def test_the_assigners_page_shows_every_receiver_and_who_is_late(world, given):
    receipt = Target.objects.get(assignment=given, plan__town=world.a)
    signed_in(world, "a_editor").post(
        f"/assignments/{given.pk}/sign/{receipt.pk}/",
        {f"r{receipt.pk}-lead_department": world.a_economy.pk, f"r{receipt.pk}-owner_name": "张伟"},
    )
    page = signed_in(world, "district_editor").get(f"/assignments/{given.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "甲镇" in html
    assert "乙镇" in html
    assert 'data-state="signed"' in html
    assert 'data-state="late"' in html
    assert "经济发展办公室" in html
    assert "张伟" in html
    assert "sign-form" not in html  # the district does not sign for its towns


def test_a_town_sees_its_own_line_and_signs_there(world, given):
    client = signed_in(world, "b_editor")
    html = client.get(f"/assignments/{given.pk}/").content.decode()
    assert "乙镇" in html
    assert "甲镇" not in html
    assert "sign-form" in html
    receipt = Target.objects.get(assignment=given, plan__town=world.b)
    refused = client.post(f"/assignments/{given.pk}/sign/{receipt.pk}/", {})
    assert refused.status_code == 400  # the form asks for the lead department
    assert Target.objects.get(pk=receipt.pk).signed_at is None
    done = client.post(
        f"/assignments/{given.pk}/sign/{receipt.pk}/",
        {f"r{receipt.pk}-lead_department": world.b_office.pk},
    )
    assert done.status_code == 302
    assert Target.objects.get(pk=receipt.pk).lead_department == world.b_office


def test_another_towns_receipt_cannot_be_signed_from_the_page(world, given):
    receipt = Target.objects.get(assignment=given, plan__town=world.b)
    response = signed_in(world, "a_editor").post(
        f"/assignments/{given.pk}/sign/{receipt.pk}/",
        {f"r{receipt.pk}-lead_department": world.a_economy.pk},
    )
    assert response.status_code == 302
    assert Target.objects.get(pk=receipt.pk).signed_at is None


def test_the_list_and_pages_need_a_sign_in_and_hide_others_tasks(world, given):
    assert Client().get("/assignments/").status_code == 302
    assert signed_in(world, "outsider").get(f"/assignments/{given.pk}/").status_code == 404
    listed = signed_in(world, "b_editor").get("/assignments/").content.decode()
    assert given.title in listed


def test_a_district_editor_gives_a_task_in_the_form(world):
    client = signed_in(world, "district_editor")
    assert client.get("/assignments/new/").status_code == 200
    form = {
        "assigner": f"region:{world.district.pk}",
        "title": "排查燃气安全隐患",
        "request": "全面排查餐饮场所燃气使用安全。",
        "source_kind": "instruction",
        "source_title": "区长批示",
        "issued_on": f"{YEAR}-11-20",
        "deadline": f"{YEAR}-12-20",
        "sign_within_days": "2",
        "kind": "milestone",
        "towns": [world.a.pk],
    }
    refused = client.post("/assignments/new/", {**form, "towns": [world.c.pk]})
    assert refused.status_code == 400  # 丙镇 is not below 南海区: not even a choice
    assert not Assignment.objects.exists()
    done = client.post("/assignments/new/", form)
    assert done.status_code == 302
    assignment = Assignment.objects.get()
    assert assignment.region == world.district
    assert [r.plan.town for r in assignment.receipts.all()] == [world.a]


def test_who_may_not_assign_is_refused_the_form(world):
    assert signed_in(world, "district_viewer").get("/assignments/new/").status_code == 403


def test_a_receipt_is_marked_assigned_on_its_plans_page(world, given):
    html = Client().get(f"/towns/{world.a.slug}/{YEAR}/").content.decode()
    assert "tag-assigned" in html
    assert "开展安全生产大检查" in html
