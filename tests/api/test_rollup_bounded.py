"""A rollup's answer is bounded: every town's figures, and one page of comparable targets."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tracker.demo import DEMO_PREFIX, generate
from tracker.models import Town
from tracker.selectors import ROLLUP_PAGE_SIZE

pytestmark = pytest.mark.django_db

PROVINCE = f"/api/regions/{DEMO_PREFIX}province/rollup/"


def rollup_of(towns: int, page: int = 1) -> tuple[dict, int, int]:
    """(the answer, its size in bytes, its queries) for a province of `towns` towns."""
    generate(towns=towns, years=1, targets_per_plan=6, updates_per_target=1, seed=7)
    from tracker.models import Plan

    year = Plan.objects.values_list("year", flat=True).first()
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PROVINCE, {"year": year, "page": page})
    assert response.status_code == 200, response.content
    return response.json(), len(response.content), len(queries)


def comparable_bytes(answer: dict) -> int:
    return len(
        json.dumps(answer["comparables"], ensure_ascii=False, separators=(",", ":")).encode()
    )


def test_the_comparables_stay_one_page_as_the_province_grows(settings):
    settings.TRACKER_READ_CACHE = False  # measure the view, not the cache
    small, small_size, small_queries = rollup_of(10)
    large, large_size, large_queries = rollup_of(100)  # the same 10 towns and 90 more
    assert len(small["towns"]) == 10
    assert len(large["towns"]) == 100
    assert large["comparable_count"] > 5 * ROLLUP_PAGE_SIZE
    shown = sum(len(group["targets"]) for group in large["comparables"])
    assert shown == ROLLUP_PAGE_SIZE
    assert large["page_count"] > 1
    assert large["next"]
    assert large["previous"] is None
    # Ten times the towns: the comparables part of the answer does not grow with them ...
    assert comparable_bytes(large) < 1.5 * comparable_bytes(small)
    # ... only the towns' own figures do, and the queries not at all.
    assert large_size - comparable_bytes(large) < 12 * (small_size - comparable_bytes(small))
    assert large_queries == small_queries


def test_the_pages_cover_every_comparable_target_once(settings):
    settings.TRACKER_READ_CACHE = False
    first, _, _ = rollup_of(30)
    seen = []
    answer, page = first, 1
    while True:
        seen += [t["id"] for group in answer["comparables"] for t in group["targets"]]
        if not answer["next"]:
            break
        page += 1
        answer = Client().get(answer["next"]).json()
    assert page == first["page_count"]
    assert len(seen) == len(set(seen)) == first["comparable_count"]
    # In the order the groups were read: by town (as the database orders names), then
    # by the target's place in its plan; each page's ids are read first, then their rows.
    rank = {
        name: i
        for i, name in enumerate(Town.objects.order_by("name").values_list("name", flat=True))
    }
    towns_in_order = [rank[target["town"]["name"]] for target in first["comparables"][0]["targets"]]
    assert len(set(towns_in_order)) > 1
    assert towns_in_order == sorted(towns_in_order)
    assert sum(group["target_count"] for group in first["comparables"]) == len(seen)


def test_a_page_past_the_last_is_404(settings):
    answer, _, _ = rollup_of(3)
    response = Client().get(PROVINCE, {"year": answer["year"], "page": answer["page_count"] + 1})
    assert response.status_code == 404


def test_the_region_page_shows_one_page_with_links(settings):
    answer, _, _ = rollup_of(30)
    page = Client().get(f"/regions/{DEMO_PREFIX}province/{answer['year']}/", {"page": 2})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'rel="prev"' in html
    assert "?page=1" in html
    assert html.count("compare-table") <= ROLLUP_PAGE_SIZE + 1
