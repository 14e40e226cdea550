"""Identical submissions sent at once, with real threads on PostgreSQL (issue 15, finding 7).

Each thread is an API client with its own connection; a barrier releases them
together. The first submission is answered 201 or 202; every other one finds
it after the target's lock and is answered 200 with the same result and
`Idempotent-Replayed: true` — never a second record, a 400 or a 409.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from tests.conftest import on_postgresql
from tests.workflow.conftest import YEAR, ReviewingTown, build_xiqiao
from tracker.models import ProgressReport, ProgressUpdate

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not on_postgresql(), reason="real concurrent writers need PostgreSQL"),
]

SENDERS = 10


@pytest.fixture
def xiqiao(transactional_db) -> ReviewingTown:
    """The town built for each test and committed, not the module's shared copy.

    The senders' threads have connections of their own: they see only committed
    rows, never the module's rolled-back transaction (tests/conftest.py).
    """
    return build_xiqiao()


def send_at_once(xiqiao, actor: str, body: dict, headers: dict) -> list:
    clients = [xiqiao.client(actor) for _ in range(SENDERS)]  # tokens made before the race
    start = threading.Barrier(SENDERS)

    def send(client):
        try:
            start.wait()
            response = client.post("/api/progress-updates/", body, format="json", **headers)
            return response.status_code, response.json()["id"], response.get("Idempotent-Replayed")
        finally:
            connections.close_all()  # each thread opened its own connection

    with ThreadPoolExecutor(max_workers=SENDERS) as pool:
        return list(pool.map(send, clients))


def body(xiqiao) -> dict:
    return {"target": xiqiao.land.pk, "as_of": f"{YEAR}-03-31", "value": "600", "note": "三月"}


@pytest.mark.parametrize("headers", [{}, {"HTTP_IDEMPOTENCY_KEY": "2024-03-land"}])
def test_ten_identical_held_submissions_at_once_make_one_report(xiqiao, headers):
    answers = send_at_once(xiqiao, "dept_reporter", body(xiqiao), headers)
    codes = sorted(code for code, _id, _replayed in answers)
    assert codes == [200] * (SENDERS - 1) + [202], answers
    assert len({report_id for _code, report_id, _replayed in answers}) == 1
    assert sorted(replayed or "" for _code, _id, replayed in answers) == [""] + ["true"] * (
        SENDERS - 1
    )
    report = ProgressReport.objects.get()
    assert (report.state, report.note) == ("submitted", "三月")
    assert not ProgressUpdate.objects.exists()


def test_ten_identical_recorded_submissions_with_one_key_record_once(xiqiao):
    xiqiao.town.review_required = False
    xiqiao.town.save()
    answers = send_at_once(
        xiqiao, "dept_reporter", body(xiqiao), {"HTTP_IDEMPOTENCY_KEY": "2024-03-land"}
    )
    assert sorted(code for code, _id, _replayed in answers) == [200] * (SENDERS - 1) + [201]
    assert sum(replayed == "true" for _code, _id, replayed in answers) == SENDERS - 1
    assert ProgressUpdate.objects.get().pk == answers[0][1]
