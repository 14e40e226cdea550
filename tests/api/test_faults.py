"""While the database fails, the API says so (503, Retry-After), never something about the data.

Faults are injected below Django's cursor wrapper, where the driver would
raise them (issue 15, finding 5).
"""

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import RequestFactory

from tracker.api.exceptions import RETRY_AFTER_SECONDS, server_error
from tracker.models import ProgressUpdate

pytestmark = pytest.mark.django_db


def fail_queries(monkeypatch, error: Exception, when=lambda sql: True):
    real = CursorWrapper._execute

    def failing(self, sql, params, *args):
        if when(sql):
            raise error
        return real(self, sql, params, *args)

    monkeypatch.setattr(CursorWrapper, "_execute", failing)


def body(world, **changes) -> dict:
    return {"target": world.target_a.pk, "as_of": "2024-09-30", "value": "2100", **changes}


def assert_unavailable(response):
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "database" in response.json()["detail"]


def test_a_fault_while_checking_the_key_is_a_503_not_the_key_exists(world, monkeypatch):
    client = world.client("reporter_a")
    # Only the query that looks the client key up fails (Django's Q.check() did once,
    # and answered "already recorded").
    fail_queries(
        monkeypatch,
        OperationalError("connection cut"),
        lambda sql: '"tracker_progressupdate"."client_key" IN' in sql,
    )
    response = client.post("/api/progress-updates/", body(world, client_key="cut-1"))
    assert_unavailable(response)
    monkeypatch.undo()
    assert not ProgressUpdate.objects.filter(client_key="cut-1").exists()
    retry = client.post("/api/progress-updates/", body(world, client_key="cut-1"))
    assert retry.status_code == 201  # recorded now, for the first time


@pytest.mark.parametrize("error", [OperationalError("timeout"), InterfaceError("closed")])
def test_a_fault_in_any_read_or_write_is_a_json_503(world, monkeypatch, error):
    client = world.client("reporter_a")
    fail_queries(monkeypatch, error, lambda sql: "tracker_" in sql)
    assert_unavailable(client.get("/api/towns/"))
    assert_unavailable(client.post("/api/progress-updates/bulk/", [body(world)], format="json"))


def test_a_fault_outside_the_views_is_a_503_json_under_the_api_and_a_page_elsewhere():
    request = RequestFactory().get("/api/towns/")
    try:
        raise OperationalError("the commit failed")
    except OperationalError:
        response = server_error(request)
        page = server_error(RequestFactory().get("/towns/xiqiao/2024/"))
    assert (response.status_code, response["Retry-After"]) == (503, str(RETRY_AFTER_SECONDS))
    assert response["Content-Type"] == "application/json"
    # The probe: pages answered a bare HTML 500 while the database was unreachable.
    assert (page.status_code, page["Retry-After"]) == (503, str(RETRY_AFTER_SECONDS))
    assert page["Content-Type"].startswith("text/html")
    assert "服务暂时不可用" in page.content.decode()
    try:
        raise ValueError("a bug, not the database")
    except ValueError:
        bug = server_error(RequestFactory().get("/towns/xiqiao/2024/"))
    assert bug.status_code == 500


def test_a_page_whose_database_fails_is_a_503_page(world, monkeypatch):
    client = world.client("reporter_a")
    client.raise_request_exception = False
    fail_queries(monkeypatch, OperationalError("timeout"), lambda sql: "tracker_" in sql)
    page = client.get(f"/towns/{world.town_a.slug}/{world.plan_a.year}/")
    assert (page.status_code, page["Retry-After"]) == (503, str(RETRY_AFTER_SECONDS))
    assert "服务暂时不可用" in page.content.decode()
