"""Conditional and cached reads (tracker/freshness.py): ETag, 304, answers shared by scope only."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from tests.api.conftest import member
from tracker import freshness
from tracker.choices import Role
from tracker.services import progress_record

pytestmark = pytest.mark.django_db


def test_readers_of_different_scopes_never_share_an_answer(world):
    url = "/api/plans/"
    seen_by_a = world.client("editor_a").get(url)
    seen_by_b = world.client("reporter_b").get(url)
    assert seen_by_a["X-Cache"] == "miss"
    assert seen_by_b["X-Cache"] == "miss"  # a different scope: not A's answer
    assert world.plan_a.pk in {plan["id"] for plan in seen_by_a.json()["results"]}
    assert world.plan_a.pk not in {plan["id"] for plan in seen_by_b.json()["results"]}
    assert seen_by_a["ETag"] != seen_by_b["ETag"]


def test_readers_of_the_same_scope_share_one_answer(world):
    twin = member(town=world.town_b, role=Role.REPORTER, username="reporter_b2")
    world.users["twin"] = twin
    first = world.client("reporter_b").get("/api/plans/")
    second = world.client("twin").get("/api/plans/")
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert first.content == second.content
    # The answer kept is the one sent: status, body and every header but X-Cache.
    assert second.status_code == first.status_code == 200
    sent = {name: value for name, value in first.items() if name != "X-Cache"}
    assert sent == {name: value for name, value in second.items() if name != "X-Cache"}
    assert {"Content-Type", "ETag", "Vary"} <= set(sent)


def test_a_write_changes_the_etag_and_the_answer(world):
    client = world.client("superuser")
    url = f"/api/targets/?town={world.town_b.slug}"
    before = client.get(url)
    assert client.get(url, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 304
    progress_record(
        target=world.target_b,
        as_of=datetime.date(2024, 10, 31),
        value=Decimal("4321"),
        reported_by=world.users["superuser"],
    )
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["X-Cache"] == "miss"
    assert after["ETag"] != before["ETag"]
    assert "4321" in after.content.decode()


def test_a_hit_and_a_304_cost_three_queries_at_most(world, django_assert_max_num_queries):
    client = world.client("reporter_b")
    url = "/api/targets/"
    first = client.get(url)
    with django_assert_max_num_queries(3):  # the token, the memberships, the data version
        assert client.get(url)["X-Cache"] == "hit"
    with django_assert_max_num_queries(3):
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_the_language_is_part_of_the_key(world):
    client = world.client("reporter_b")
    english = client.get("/api/plans/", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/api/plans/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese["X-Cache"] == "miss"
    assert english["ETag"] != chinese["ETag"]


def test_a_versioned_record_keeps_its_own_etag_for_if_match(world):
    response = world.client("editor_b").get(f"/api/targets/{world.target_b.pk}/")
    assert response["ETag"] == f'"{world.target_b.version}"'


def test_a_bad_token_is_never_answered_from_the_cache(world):
    world.client("anonymous").get("/api/plans/")
    response = Client().get("/api/plans/", HTTP_AUTHORIZATION="Token not-a-token")
    assert response.status_code == 401
    assert "X-Cache" not in response


def test_writes_are_not_cached_and_move_the_version(world):
    before = freshness.current()
    response = world.client("editor_a").post(  # town A counts updates at once
        "/api/progress-updates/",
        {"target": world.target_a.pk, "as_of": "2024-10-31", "value": "5000"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert "X-Cache" not in response
    assert freshness.current() > before


def test_the_version_moves_after_the_commit_once(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(freshness, "AFTER_COMMIT", True)
    before = freshness.current()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        world.town_b.save()
        world.plan_b.save()
        assert freshness.current() == before  # not yet: the data is not committed
    assert len(callbacks) == 1
    assert freshness.current() == before + 1


def test_bulk_writes_of_the_demo_move_the_version(db):
    from tracker.demo import generate

    before = freshness.current()
    generate(towns=2, years=1, targets_per_plan=2, updates_per_target=1, seed=1, allow_real=True)
    assert freshness.current() > before


def test_anonymous_pages_are_cached_and_signed_in_pages_are_not(world):
    url = f"/towns/{world.town_b.slug}/{world.plan_b.year}/"
    assert Client().get(url)["X-Cache"] == "miss"
    assert Client().get(url)["X-Cache"] == "hit"
    signed_in = Client()
    signed_in.force_login(world.users["reporter_b"])
    page = signed_in.get(url)
    assert page.status_code == 200
    assert "X-Cache" not in page  # it holds a form with a CSRF token (sign out)
    assert "ETag" in page


def test_a_download_has_an_etag_and_is_answered_304(world):
    client = world.client("reporter_b")
    first = client.get("/api/targets/export.csv")
    assert first.status_code == 200
    assert (
        client.get("/api/targets/export.csv", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    )
