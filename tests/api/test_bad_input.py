"""Bad input of every kind is a 4xx naming what is wrong; never a 500."""

import json

import pytest
from django.utils import translation

from tracker.models import Plan, ProgressUpdate, Target

pytestmark = pytest.mark.django_db


def message_of(constraint_name: str, response) -> str:
    """A constraint's violation message, in the language the response was given in."""
    (constraint,) = [c for c in Plan._meta.constraints if c.name == constraint_name]
    with translation.override(response["Content-Language"]):
        return str(constraint.violation_error_message)


HUGE = "9" * 30  # more digits than any database integer holds

# Query strings of the lists: (url, query, the parameter the error names).
BAD_FILTERS = [
    ("/api/targets/", "status=bogus", "status"),
    ("/api/targets/", "kind=bogus", "kind"),
    ("/api/targets/", "year=abc", "year"),
    ("/api/targets/", "year=2024.5", "year"),
    ("/api/targets/", f"year={HUGE}", "year"),
    ("/api/targets/", "plan=1.5", "plan"),
    ("/api/targets/", f"plan={HUGE}", "plan"),
    ("/api/targets/", "section=abc", "section"),
    ("/api/targets/", "department=-1", "department"),
    ("/api/targets/", "ordering=bogus", "ordering"),
    ("/api/plans/", "status=bogus", "status"),
    ("/api/plans/", "year=二〇二四", "year"),
    ("/api/sections/", "top_level=maybe", "top_level"),
    ("/api/progress-updates/", "as_of_after=2024-13-01", "as_of_after"),
    ("/api/progress-updates/", "target=abc", "target"),
    ("/api/towns/", "kind=village", "kind"),
    ("/api/regions/", "level=planet", "level"),
    ("/api/targets/export.csv", "status=bogus", "status"),
    ("/api/targets/export.xlsx", "year=abc", "year"),
]


@pytest.mark.parametrize(("url", "query", "name"), BAD_FILTERS)
def test_an_unknown_filter_value_is_a_400_naming_the_filter(world, url, query, name):
    # A download asked for by its media type still explains a refusal in JSON.
    accept = "text/csv" if url.endswith(".csv") else "application/json"
    response = world.client("region_viewer").get(f"{url}?{query}", HTTP_ACCEPT=accept)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert name in response.json()


@pytest.mark.parametrize(
    "query", [f"town={HUGE}", "town=²", "town=atlantis", f"region={HUGE}", "region=atlantis"]
)
def test_a_town_or_region_that_does_not_exist_is_a_400_naming_the_filter(world, query):
    # Not an empty list, which a client would read as "no targets there".
    response = world.client("region_viewer").get(f"/api/targets/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [query.split("=")[0]]


@pytest.mark.parametrize("query", ["town=xiqiao", "region=nanhai"])
def test_a_town_or_region_by_slug_or_id_filters(world, query):
    name, slug = query.split("=")
    place = world.town_a if name == "town" else world.district
    client = world.client("region_viewer")
    by_slug = client.get(f"/api/targets/?{query}").json()
    by_id = client.get(f"/api/targets/?{name}={place.pk}").json()
    assert by_slug["count"] == by_id["count"] > 0
    assert by_slug["results"] == by_id["results"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/targets/abc/",
        f"/api/targets/{HUGE}/",
        "/api/targets/0/",
        f"/api/towns/{HUGE}/",
        "/api/targets/?page=abc",
        "/api/targets/?page=999",
    ],
)
def test_a_detail_or_page_that_does_not_exist_is_a_404(world, url):
    assert world.client("region_viewer").get(url).status_code == 404


def progress(world, **changes) -> dict:
    return {"target": world.target_a.pk, "as_of": "2024-09-30", "value": "2100", **changes}


BAD_PROGRESS = {
    "value-not-a-number": ({"value": "abc"}, "value"),
    "value-nan": ({"value": "NaN"}, "value"),
    "value-infinite": ({"value": "Infinity"}, "value"),
    "value-too-many-digits": ({"value": "1" * 17}, "value"),
    "value-too-many-decimals": ({"value": "1.00001"}, "value"),
    "value-negative": ({"value": "-5"}, "value"),
    "value-a-list": ({"value": [1]}, "value"),
    "target-a-word": ({"target": "abc"}, "target"),
    "target-a-fraction": ({"target": 1.5}, "target"),
    "target-a-boolean": ({"target": True}, "target"),
    "target-huge": ({"target": int(HUGE)}, "target"),
    "target-missing": ({"target": None}, "target"),
    "target-unknown": ({"target": 987654}, "target"),
    "as-of-no-such-day": ({"as_of": "2024-02-30"}, "as_of"),
    "as-of-a-number": ({"as_of": 20240930}, "as_of"),
    "as-of-outside-the-year": ({"as_of": "2025-01-01"}, "as_of"),
    "as-of-in-the-future": ({"as_of": "2999-01-01"}, "as_of"),
    "milestone-done-maybe": ({"milestone_done": "maybe"}, "milestone_done"),
    "evidence-not-a-url": ({"evidence_url": "not a url"}, "evidence_url"),
    "note-an-object": ({"note": {"a": 1}}, "note"),
    "client-key-too-long": ({"client_key": "k" * 91}, "client_key"),
    "corrects-unknown": ({"corrects": 987654}, "corrects"),
}


@pytest.mark.parametrize("case", BAD_PROGRESS)
def test_bad_progress_is_a_400_naming_the_field(world, as_reporter_a, case):
    changes, field = BAD_PROGRESS[case]
    body = progress(world, **changes)
    response = as_reporter_a.post("/api/progress-updates/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert ProgressUpdate.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"target": ', "application/json"),
        ("null", "application/json"),
        ("[1, 2]", "application/json"),
        ('"a string"', "application/json"),
        (b"\xff\xfe\x00", "application/json"),
        ("value=1", "text/plain"),
    ],
    ids=["truncated", "null", "a-list", "a-string", "not-utf8", "unsupported-type"],
)
def test_a_body_that_is_not_an_object_is_a_4xx(world, as_reporter_a, body, content_type):
    response = as_reporter_a.generic(
        "POST", "/api/progress-updates/", body, content_type=content_type
    )
    assert response.status_code in (400, 415)
    assert ProgressUpdate.objects.count() == 2


def test_a_too_long_idempotency_key_is_a_400(world, as_reporter_a):
    response = as_reporter_a.post(
        "/api/progress-updates/", progress(world), HTTP_IDEMPOTENCY_KEY="k" * 91
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()


BAD_EDITS = {
    "value-overflow": ({"value": "1e30"}, "value"),
    "value-max-without-range": ({"value_max": "3000"}, "value_max"),
    "range-upside-down": ({"comparison": "range", "value_max": "100"}, "value_max"),
    "deadline-before-the-year": ({"deadline": "2023-12-31"}, "deadline"),
    "deadline-not-a-date": ({"deadline": "next year"}, "deadline"),
    "position-negative": ({"position": -1}, "position"),
    "position-huge": ({"position": 2**63}, "position"),
    "kind-unknown": ({"kind": "wish"}, "kind"),
    "comparison-unknown": ({"comparison": "~"}, "comparison"),
    "title-too-long": ({"title": "长" * 301}, "title"),
    "title-empty": ({"title": ""}, "title"),
    "is-growth-not-boolean": ({"is_growth": "perhaps"}, "is_growth"),
    "helping-not-a-list": ({"helping_departments": "abc"}, "helping_departments"),
    "helping-unknown": ({"helping_departments": [987654]}, "helping_departments"),
    "lead-unknown": ({"lead_department": 987654}, "lead_department"),
}


@pytest.mark.parametrize("case", BAD_EDITS)
def test_a_bad_edit_is_a_400_naming_the_field_and_changes_nothing(world, as_editor_a, case):
    changes, field = BAD_EDITS[case]
    response = as_editor_a.patch(
        f"/api/targets/{world.target_a.pk}/", changes, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Target.objects.get(pk=world.target_a.pk).version == 1


@pytest.mark.parametrize("year", [1999, 40000, 2**63, "二〇二五"])
def test_a_plan_year_out_of_range_is_a_400(world, as_editor_a, year):
    response = as_editor_a.post(
        "/api/plans/", {"town": world.town_a.pk, "year": year, "title": "计划"}, format="json"
    )
    assert response.status_code == 400
    # The column's range is the database's (a year past 32767 is the field's
    # error on PostgreSQL); 2000..2100 is the model's constraint.
    assert set(response.json()) & {"year", "non_field_errors"}


def test_a_constraint_the_validation_missed_is_a_400_not_a_500(world, as_editor_a, monkeypatch):
    # Two editors creating the same plan at once both pass validation; the
    # database's unique constraint stops the second. Simulate it by skipping
    # the check in full_clean().
    monkeypatch.setattr(Plan, "validate_constraints", lambda self, exclude=None: None)
    monkeypatch.setattr(Plan, "validate_unique", lambda self, exclude=None: None)
    response = as_editor_a.post(
        "/api/plans/", {"town": world.town_a.pk, "year": 2024, "title": "重复"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert Plan.objects.filter(town=world.town_a).count() == 1


def test_a_check_constraint_violation_is_reported_with_its_message(world, as_editor_a, monkeypatch):
    monkeypatch.setattr(Plan, "validate_constraints", lambda self, exclude=None: None)
    response = as_editor_a.post(
        "/api/plans/", {"town": world.town_a.pk, "year": 1999, "title": "太早"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [message_of("tracker_plan_year_in_range", response)]
    }


def test_json_errors_are_json(world, as_reporter_a):
    response = as_reporter_a.generic(
        "POST", "/api/progress-updates/", "{", content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" in json.loads(response.content)


@pytest.mark.parametrize("query", ["town=%00", "q=%00", "region=a%00b", "unit=%00"])
def test_a_nul_character_in_a_filter_is_a_400(world, query):
    # PostgreSQL text cannot hold NUL; the form refuses it before the database sees it.
    assert world.client("anonymous").get(f"/api/targets/?{query}").status_code == 400


@pytest.mark.parametrize("url", ["/api/towns/%00/", "/api/regions/a%00/rollup/?year=2024"])
def test_a_nul_character_in_a_slug_is_a_4xx(world, url):
    assert world.client("anonymous").get(url).status_code in (400, 404)
