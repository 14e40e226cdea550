"""Bad bodies are answered in JSON, and say what is wrong (issue 15, findings 6 and 8).

Before: `[` x 1000 was a 500 on every JSON write endpoint and on /api/token/
(DRF catches only ValueError; the RecursionError escaped); a 5 MB body was
an HTML 400; unknown fields were silently ignored; /api/reports/ nested its
errors as {"target": {"target": [...]}}; a PATCH that changed nothing moved
the version on; a token client got 404 from the evidence URL the API gave.

Every JSON write endpoint is taken from the permission matrix, so a new one
is tried here too.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.test_permission_matrix import ROUTES

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("POST", "PUT", "PATCH")
# Steps that take no body (submit, approve) read it all the same: an empty body or {}
# is fine, anything else refused like any write's (the probe found approve taking any).
BODYLESS = {"report-submit", "report-approve"}
JSON_WRITES = [
    (name, method)
    for name, route in ROUTES.items()
    for method in WRITE_METHODS
    if method in route.expect and not route.multipart
]
IDS = [f"{name}-{method}" for name, method in JSON_WRITES]


def send(world, name: str, method: str, body, actor: str = "superuser"):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return world.client(actor).generic(
        method,
        ROUTES[name].url(world),
        data=data,
        content_type="application/json",
        HTTP_IF_MATCH='"1"',
    )


def is_json(response) -> bool:
    return response["Content-Type"].startswith("application/json")


def nested(depth: int):
    body = "leaf"
    for _ in range(depth):
        body = [body]
    return body


def test_every_json_write_endpoint_is_tried():
    assert len(JSON_WRITES) == 20
    assert ("token", "POST") in JSON_WRITES


@pytest.mark.parametrize("name", sorted(BODYLESS))
def test_a_step_that_takes_no_body_takes_an_empty_one(world, name):
    assert send(world, name, "POST", "").status_code == 200


@pytest.mark.parametrize(("name", "method"), JSON_WRITES, ids=IDS)
def test_unbalanced_deep_nesting_is_a_json_400(world, name, method):
    response = send(world, name, method, "[" * 1000)
    assert response.status_code == 400
    assert is_json(response)
    assert "detail" in response.json()


@pytest.mark.parametrize(("name", "method"), JSON_WRITES, ids=IDS)
def test_valid_json_nested_past_the_limit_is_a_json_400(world, name, method):
    response = send(world, name, method, {"title": nested(200)})
    assert response.status_code == 400
    assert is_json(response)
    assert "nested" in response.json()["detail"]


@pytest.mark.parametrize(("name", "method"), JSON_WRITES, ids=IDS)
def test_a_body_over_the_size_limit_is_a_json_413(world, settings, name, method):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = send(world, name, method, {"note": "x" * 2000})
    assert response.status_code == 413
    assert is_json(response)
    assert "1000" in response.json()["detail"]


def test_a_5_mb_body_is_a_json_413_by_default(world):
    response = send(world, "progressupdate-list", "POST", {"note": "x" * (5 * 1024 * 1024)})
    assert response.status_code == 413
    assert is_json(response)


# Each endpoint whose body is a record: its valid body with one field too many.
RECORD_WRITES = [(name, method) for name, method in JSON_WRITES if ROUTES[name].bodies.get(method)]


@pytest.mark.parametrize(
    ("name", "method"), RECORD_WRITES, ids=[f"{n}-{m}" for n, m in RECORD_WRITES]
)
def test_an_unknown_field_is_a_400_naming_it(world, name, method):
    body = ROUTES[name].bodies[method](world)
    if isinstance(body, list):  # the bulk endpoint: errors by item index
        body = [{**item, "colour": "red"} for item in body]
    else:
        body = {**body, "colour": "red"}
    response = send(world, name, method, body)
    assert response.status_code == 400, response.content
    errors = response.json()
    if isinstance(body, list):
        errors = errors["0"]
    assert "colour" in errors


def test_a_report_for_a_target_one_may_not_report_on_has_a_flat_error(world):
    # Town B's plan is published: reporter_a reads its target but does not report on it.
    body = {"target": world.target_b.pk, "period": world.period_a.pk, "value": "2100"}
    response = send(world, "report-list", "POST", body, actor="reporter_a")
    assert response.status_code == 400
    error = response.json()["target"]
    assert isinstance(error, list)
    assert all(isinstance(message, str) for message in error)


@pytest.mark.parametrize(
    ("resource", "same"),
    [
        ("targets", lambda w: {"title": w.target_a.title, "value": str(w.target_a.value)}),
        ("sections", lambda w: {"title": w.section_a.title}),
        ("plans", lambda w: {"title": w.plan_a.title}),
    ],
)
def test_a_patch_that_changes_nothing_keeps_the_version(world, resource, same):
    client = world.client("editor_a")
    pk = {"targets": world.target_a, "sections": world.section_a, "plans": world.plan_a}[
        resource
    ].pk
    read = client.get(f"/api/{resource}/{pk}/")
    version = read.json()["version"]
    response = client.patch(
        f"/api/{resource}/{pk}/", same(world), format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert response.status_code == 200
    assert response.json()["version"] == version
    assert response["ETag"] == read["ETag"]
    # A real change still moves it on.
    changed = client.patch(
        f"/api/{resource}/{pk}/", {"title": "改过的标题"}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert changed.json()["version"] == version + 1


def test_a_token_client_downloads_evidence_at_the_url_the_api_gives(world):
    client = world.client("reporter_a")
    upload = client.post(
        f"/api/reports/{world.draft_report_a.pk}/evidence/",
        {"file": SimpleUploadedFile("佐证.pdf", b"%PDF-1.4 evidence", "application/pdf")},
        format="multipart",
    )
    assert upload.status_code == 201
    download = client.get(upload.json()["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 evidence"
    # Without the token, a draft's evidence stays hidden; a wrong token is no key either.
    assert world.client("anonymous").get(upload.json()["url"]).status_code == 404
    stranger = world.client("anonymous")
    stranger.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert stranger.get(upload.json()["url"]).status_code in (401, 404)


MULTIPART_WRITES = sorted(name for name, route in ROUTES.items() if route.multipart)


def test_every_multipart_write_endpoint_is_tried():
    assert MULTIPART_WRITES == ["plan-import", "report-evidence", "report-import"]


@pytest.mark.parametrize("name", MULTIPART_WRITES)
def test_an_unknown_form_field_is_a_400_naming_it_and_nothing_is_written(world, name):
    # The probe's rerun: these forms took a bogus field, and the upload wrote its reports.
    from tracker.models import EvidenceFile, ProgressReport, Target

    def counts():
        return [m.objects.count() for m in (EvidenceFile, ProgressReport, Target)]

    route = ROUTES[name]
    body = {**route.bodies["POST"](world), "bogus_field": "1"}
    before = counts()
    response = world.client("superuser").post(route.url(world), body, format="multipart")
    assert response.status_code == 400, response.content
    assert "bogus_field" in response.json()
    assert counts() == before
