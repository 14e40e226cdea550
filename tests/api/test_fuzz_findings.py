"""What the fuzzing (tests/api/test_fuzz.py) found, kept from coming back."""

import warnings

import jsonschema_rs
import pytest
from django.core.paginator import UnorderedObjectListWarning

from tracker.filters import OrderingFilter
from tracker.models import Town

pytestmark = pytest.mark.django_db


def test_a_url_no_route_matches_under_api_is_a_json_404(world, client):
    # An id with a slash in it matched no route: Django's HTML page answered.
    response = client.get("/api/targets/1/no/such/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    # The report pages keep their HTML page.
    assert client.get("/no/such/page/")["Content-Type"].startswith("text/html")


def test_a_page_past_the_end_of_a_list_is_a_documented_404(world, client):
    response = client.get("/api/departments/?page=280")
    assert response.status_code == 404
    schema = client.get("/api/schema/?format=json").json()
    for path in ("/api/departments/", "/api/targets/", "/api/plans/", "/api/progress-updates/"):
        assert "404" in schema["paths"][path]["get"]["responses"], path


def test_a_document_without_a_url_is_described_by_the_schema(world, client):
    # Plans and targets showed a source document's empty URL (""), which the
    # schema declared a "uri".
    schema = client.get("/api/schema/?format=json").json()
    url = schema["components"]["schemas"]["SourceDocumentRef"]["properties"]["url"]
    validator = jsonschema_rs.Draft4Validator(url, validate_formats=True)
    assert validator.is_valid("")
    assert validator.is_valid("https://www.nanhai.gov.cn/plan.html")
    assert not validator.is_valid(3)


@pytest.mark.parametrize("path", ["/api/periods/", "/api/reports/", "/api/towns/"])
def test_an_empty_ordering_keeps_the_default_order_and_pages_stay_stable(world, path):
    # `ordering=,` cleared the order: Django warned that pages may repeat or skip rows.
    client = world.client("editor_a")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)
        unordered = client.get(path + "?ordering=,")
        ordered = client.get(path)
    assert unordered.status_code == 200
    assert unordered.json() == ordered.json()


def test_an_ordering_by_a_shared_value_breaks_ties_by_id(world):
    client = world.client("editor_a")
    names = client.get("/api/towns/?ordering=-name").json()["results"]
    assert [town["name"] for town in names] == sorted((t["name"] for t in names), reverse=True)
    query = OrderingFilter(fields=["name"]).filter(Town.objects.all(), ["-name"]).query
    assert list(query.order_by) == ["-name", "pk"]
