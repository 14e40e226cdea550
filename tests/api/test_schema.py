"""The OpenAPI schema: valid, without warnings, complete, errors documented; docs served locally."""

import json
import re
from html.parser import HTMLParser
from importlib.metadata import version

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import URLPattern, URLResolver
from drf_spectacular.drainage import GENERATOR_STATS

import planning
from tests.api.test_permission_matrix import NOT_ALLOWED, ROUTES
from tracker.api import urls as api_urls
from tracker.exports import XLSX_TYPE

pytestmark = pytest.mark.django_db

# The schema describes the API; these describe the schema (or list the API).
NOT_IN_SCHEMA = {"schema", "docs", "api-root"}


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker) -> dict:
    # django_db_setup: the test database, not db.sqlite3 in the work tree.
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_validates_without_warnings_or_errors(tmp_path):
    GENERATOR_STATS.reset()
    # Raises CommandError on any warning, and on a schema that breaks the OpenAPI spec.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))
    assert yaml.safe_load((tmp_path / "s.yaml").read_text())["openapi"].startswith("3.")


def test_the_schema_is_served_as_yaml_and_json(client):
    as_yaml = client.get("/api/schema/")
    as_json = client.get("/api/schema/?format=json")
    assert as_yaml["Content-Type"].startswith("application/vnd.oai.openapi;")  # YAML
    assert as_json["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert yaml.safe_load(as_yaml.content)["paths"] == as_json.json()["paths"]


def schema_paths() -> dict[str, str]:
    """Each named API route, as the schema writes its path (/api/targets/{id}/history/)."""
    paths = {}

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            text = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, text)
            elif isinstance(pattern, URLPattern) and pattern.name:
                text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text).replace("\\.", ".")
                paths[pattern.name] = "/api/" + text.replace("{pk}", "{id}")

    walk(api_urls.urlpatterns, "")
    return paths


def test_every_endpoint_and_method_is_in_the_schema(schema):
    paths = schema_paths()
    missing = []
    for name, route in ROUTES.items():
        if name in NOT_IN_SCHEMA:
            continue
        operations = schema["paths"].get(paths[name], {})
        for method, expected in route.expect.items():
            if expected != NOT_ALLOWED and method.lower() not in operations:
                missing.append(f"{method} {paths[name]}")
    assert missing == []


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method.upper(), operation


def test_every_operation_documents_its_errors(schema):
    undocumented = []
    for path, method, operation in operations(schema):
        codes = set(operation["responses"])
        needed = {"401"}
        if method != "GET":
            needed |= {"400", "429"}
        if method != "GET" and path != "/api/token/":
            needed |= {"403"}
        if "{" in path:
            needed |= {"404"}
        if method in ("PUT", "PATCH"):
            needed |= {"412", "428"}
        if not needed <= codes:
            undocumented.append(f"{method} {path}: {sorted(needed - codes)}")
    assert undocumented == []


def test_lists_document_their_filters_and_a_capped_page_size(schema):
    parameters = {p["name"] for p in schema["paths"]["/api/targets/"]["get"]["parameters"]}
    assert {"town", "region", "year", "plan", "section", "kind", "status", "unit"} <= parameters
    assert {"department", "q", "ordering", "page", "page_size"} <= parameters
    export = {p["name"] for p in schema["paths"]["/api/targets/export.csv"]["get"]["parameters"]}
    assert parameters - {"page", "page_size"} == export


def test_edits_document_if_match_and_progress_the_idempotency_key(schema):
    patch = schema["paths"]["/api/targets/{id}/"]["patch"]
    assert {"name": "If-Match", "in": "header", "required": True}.items() <= {
        **next(p for p in patch["parameters"] if p["name"] == "If-Match")
    }.items()
    post = schema["paths"]["/api/progress-updates/"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in post["parameters"]}
    assert {"200", "201", "422"} <= set(post["responses"])


def test_computed_and_owner_fields_are_read_only_in_the_schema(schema):
    target_request = schema["components"]["schemas"]["TargetRequest"]["properties"]
    for read_only in ("version", "status", "percent_complete", "current_value", "created_at"):
        assert read_only not in target_request
    update_request = schema["components"]["schemas"]["ProgressUpdateRequest"]["properties"]
    assert "reported_by" not in update_request
    assert "reported_at" not in update_request


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


def test_the_docs_page_loads_nothing_from_another_host(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r"https?://", html) == []
    links = _Links()
    links.feed(html)
    assert links.urls, "the page links its assets"
    # Only the links: the page's random CSRF token may spell "cdn" by chance.
    assert not [url for url in links.urls if "cdn" in url.lower()]
    for url in links.urls:
        assert url.startswith("/"), url
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), f"{url} is not served"


def without_texts(node):
    """The schema less its descriptions and summaries: everything a client is generated from."""
    if isinstance(node, dict):
        return {
            key: without_texts(value)
            for key, value in node.items()
            if not (key in ("description", "summary") and isinstance(value, str))
        }
    if isinstance(node, list):
        return [without_texts(value) for value in node]
    return node


def test_one_schema_for_every_language_only_its_descriptions_translated(client):
    chinese = client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    english = client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert without_texts(chinese) == without_texts(english)
    # The descriptions do follow the language (else this would prove nothing).
    post = ("paths", "/api/progress-updates/", "post", "responses", "201", "description")
    texts = [chinese, english]
    for key in post:
        texts = [text[key] for text in texts]
    assert texts == ["已记录，即时计入进度。", "Recorded: it counts at once."]
    # And no name, title or enum in the Chinese schema is Chinese, but for the
    # model fields whose English names carry the Chinese term, e.g. "Theme line (工作主线)".
    names = re.findall(
        r'"(?:title|operationId|name)": "([^"]*)"', json.dumps(chinese, ensure_ascii=False)
    )
    assert [name for name in names if re.search(r"[\u4e00-\u9fff]", name) and "(" not in name] == []


def test_public_reads_are_open_to_anonymous_callers_and_writes_need_a_token(schema):
    targets = schema["paths"]["/api/targets/"]
    assert {} in targets["get"]["security"]
    assert {"tokenAuth": []} in targets["get"]["security"]
    assert {} not in targets["post"]["security"]
    assert {} not in schema["paths"]["/api/progress-updates/"]["post"]["security"]
    token = schema["components"]["securitySchemes"]["tokenAuth"]
    assert (token["type"], token["in"], token["name"]) == ("apiKey", "header", "Authorization")
    assert "Bearer" in token["description"]


def test_progress_submission_documents_each_answer_with_its_own_body(schema):
    responses = schema["paths"]["/api/progress-updates/"]["post"]["responses"]

    def body(code):
        return responses[code]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]

    assert body("201") == "ProgressUpdate"  # recorded at once
    assert body("202") == "Report"  # held for review
    assert body("409") == "Error"  # a held period's report already submitted otherwise
    assert body("422") == "KeyReused"  # a key reused for another update
    replay = schema["components"]["schemas"][body("200")]  # a retry: either first answer
    assert [one["$ref"].rsplit("/", 1)[1] for one in replay["oneOf"]] == [
        "ProgressUpdate",
        "Report",
    ]
    assert schema["components"]["schemas"]["KeyReused"]["properties"]["client_key"]["type"] == (
        "array"
    )


def test_downloads_are_typed_as_files(schema):
    csv = schema["paths"]["/api/targets/export.csv"]["get"]["responses"]["200"]["content"]
    xlsx = schema["paths"]["/api/targets/export.xlsx"]["get"]["responses"]["200"]["content"]
    assert list(csv) == ["text/csv"]
    assert set(xlsx) == {XLSX_TYPE, "application/octet-stream"}
    assert {media["schema"]["format"] for media in xlsx.values()} == {"binary"}


def test_a_workbook_is_served_to_a_client_asking_for_bytes(client):
    response = client.get("/api/targets/export.xlsx", HTTP_ACCEPT="application/octet-stream")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert response.content.startswith(b"PK")  # a zip: the workbook


def test_the_schema_version_is_the_package_s(schema):
    assert schema["info"]["version"] == planning.__version__ == version("plan-tracker")
