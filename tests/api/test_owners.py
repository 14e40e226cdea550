"""A target's 责任人 and 分管领导: written by editors, filtered, shown and exported."""

import pytest
from django.urls import reverse

from tests import factories
from tests.test_admin_scope import town_staff
from tracker.choices import Role

pytestmark = pytest.mark.django_db

OWNERS = {"owner_name": "张伟", "owner_title": "经济发展办公室主任", "leader_name": "李明"}


def test_an_editor_names_the_owners_and_lists_filter_by_them(world, as_editor_a):
    url = f"/api/targets/{world.target_a.pk}/"
    body = {**OWNERS, "owner_user": world.users["reporter_a"].pk}
    response = as_editor_a.patch(url, body, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200, response.json()
    shown = response.json()
    assert {key: shown[key] for key in OWNERS} == OWNERS
    assert shown["owner_user"] == world.users["reporter_a"].pk
    by_leader = as_editor_a.get("/api/targets/", {"leader": "李明"}).json()["results"]
    assert [row["id"] for row in by_leader] == [world.target_a.pk]
    by_owner = as_editor_a.get("/api/targets/", {"owner": "张"}).json()["results"]
    assert [row["id"] for row in by_owner] == [world.target_a.pk]
    assert as_editor_a.get("/api/targets/", {"leader": "李"}).json()["results"] == []
    download = as_editor_a.get("/api/targets/export.csv", {"town": "xiqiao"})
    csv = b"".join(download.streaming_content).decode("utf-8")
    assert "张伟 经济发展办公室主任" in csv
    assert "李明" in csv


def test_the_owner_account_must_belong_to_the_targets_town(world, as_editor_a):
    url = f"/api/targets/{world.target_a.pk}/"
    body = {"owner_user": world.users["reporter_b"].pk}
    response = as_editor_a.patch(url, body, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 400
    assert "owner_user" in response.json()


def test_the_target_page_shows_the_owners(client):
    plan = factories.PlanFactory(status="active")
    target = factories.TargetFactory(section=factories.SectionFactory(plan=plan), **OWNERS)
    page = client.get(reverse("reports:target", args=[target.pk])).content.decode()
    assert "张伟（经济发展办公室主任）" in page
    assert "李明" in page


def test_the_admin_offers_only_the_towns_own_accounts_as_owner(client):
    plan = factories.PlanFactory()
    other = factories.PlanFactory()
    target = factories.TargetFactory(section=factories.SectionFactory(plan=plan))
    editor = town_staff(plan.town, Role.EDITOR)
    outsider = town_staff(other.town, Role.EDITOR)
    client.force_login(editor)
    response = client.get(reverse("admin:tracker_target_change", args=[target.pk]))
    choices = response.context["adminform"].form.fields["owner_user"].queryset
    assert editor in choices
    assert outsider not in choices


def test_a_reporter_sees_the_owners_in_the_admin_but_cannot_change_them(client):
    plan = factories.PlanFactory()
    target = factories.TargetFactory(section=factories.SectionFactory(plan=plan), **OWNERS)
    client.force_login(town_staff(plan.town, Role.REPORTER))
    page = client.get(reverse("admin:tracker_target_change", args=[target.pk])).content.decode()
    assert "张伟" in page
    assert "经济发展办公室主任" in page
    for name in ("owner_name", "owner_title", "owner_user", "leader_name"):
        assert f'name="{name}"' not in page
