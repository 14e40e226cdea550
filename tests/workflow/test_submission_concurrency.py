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


@pytest.mark.parametrize("also_its_report", [False, True])
def test_an_approval_and_a_batch_on_the_same_target_queue_instead_of_deadlocking(
    xiqiao, monkeypatch, also_its_report
):
    """A review found it: the approval locked its report, then the target; the batch the
    target, then (every target x period of) the reports. Both now lock targets first."""
    from decimal import Decimal

    from tracker import reporting_batch
    from tracker.submission import ProgressItem, progress_submit_many
    from tracker.workflow import report_approve, report_save, report_submit

    periods, reporter = xiqiao.periods, xiqiao.users["dept_reporter"]
    held = report_submit(
        user=reporter,
        report=report_save(
            user=reporter, target=xiqiao.land, period=periods[1], value=Decimal("2"),
            as_of=periods[1].ends_on,
        ),
    )  # fmt: skip
    approval_holds_locks, batch_started = threading.Event(), threading.Event()
    write = reporting_batch.ReportingBatch.write

    def slow_write(self):
        # The approval, holding its locks, waits until the batch has started taking its own.
        if threading.current_thread().name == "approval":
            approval_holds_locks.set()
            batch_started.wait(5)
            threading.Event().wait(1)
        return write(self)

    monkeypatch.setattr(reporting_batch.ReportingBatch, "write", slow_write)
    errors = {}

    def run(name, work):
        try:
            work()
            errors[name] = None
        except Exception as error:  # noqa: BLE001 - the test reports any failure
            errors[name] = repr(error)
        finally:
            connections.close_all()

    def approve():
        report_approve(user=xiqiao.users["reviewer"], report=ProgressReport.objects.get(pk=held.pk))

    def batch():
        approval_holds_locks.wait(5)
        batch_started.set()
        # Not the approval's report, but land x period 2 lies in the batch's targets x periods.
        items = [
            ProgressItem(target=xiqiao.land, period=periods[0], as_of=periods[0].ends_on,
                         value=Decimal("1")),
            ProgressItem(target=xiqiao.roads, period=periods[1], as_of=periods[1].ends_on,
                         value=Decimal("1")),
        ]  # fmt: skip
        if also_its_report:
            items.append(
                ProgressItem(target=xiqiao.land, period=periods[1], as_of=periods[1].ends_on,
                             value=Decimal("2"))
            )  # fmt: skip
        progress_submit_many(user=xiqiao.users["town_reporter"], items=items)

    threads = [
        threading.Thread(target=run, args=("approval", approve), name="approval"),
        threading.Thread(target=run, args=("batch", batch), name="batch"),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == {"approval": None, "batch": None}
