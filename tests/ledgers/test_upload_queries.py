"""An upload, and the batch of submissions under it, cost a fixed number of queries.

Counted for 1 row and for 50: an upload held for review, and a batch recorded
at once (progress_submit_many, items with a period and items without). The
user is read afresh, so their memberships are read once, as in a request.

PostgreSQL takes every bulk write in one statement. SQLite takes at most 999
parameters a statement, so Django splits a bulk INSERT or UPDATE every few
dozen rows (about 49 reports, 37 history records): there 50 rows cost a few
statements more than 1 row, and 500 rows a few dozen, never one per row.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from tests import factories
from tests.ledgers.conftest import upload, workbook
from tracker.ledgers.progress_sheet import TITLE, VALUE, progress_import, progress_template
from tracker.models import ProgressReport, ProgressUpdate
from tracker.submission import ProgressItem, progress_submit_many

pytestmark = pytest.mark.django_db

# savepoint and release (the batch's transaction, in the test's), the template's period
# ⋈ plan ⋈ town, its targets, the targets locked, the user's memberships, the reports of
# the rows' (target, period) pairs (locked), INSERT the reports, INSERT their history
# (saved, then submitted: a record per step), the data version
UPLOAD = 11
# savepoint and release, the targets locked, the memberships, the plans' periods (for the
# items without one), the reports of the pairs (locked), the updates with the items' client
# keys (replays), INSERT the reports; recording the updates (services.progress_record_many):
# savepoint and release, the targets locked, the updates with their keys (the items' and
# the approvals', "report:<id>"), INSERT the updates, INSERT their history, UPDATE the
# targets' latest update, the data version; UPDATE the approved reports, INSERT their
# history (added; submitted and approved), the data version.
# (The targets have no update yet: with one, one query more reads the current latest.)
RECORDED = 20
# Statements SQLite's 999-parameter limit adds for 50 rows (see the module doc); the
# reports' two endorsement columns (review up the hierarchy) split one UPDATE once more.
SPLIT_AT_50 = {"upload": 3, "recorded": 7}


def extra_on_sqlite(case: str) -> int:
    return SPLIT_AT_50[case] if connection.vendor == "sqlite" else 0


@pytest.fixture
def tasks(xiqiao):
    """51 more targets the economic office leads (so 1 row and 50 rows use their own)."""
    section = factories.SectionFactory(plan=xiqiao.plan, title="更多任务")
    return [
        factories.TargetFactory(section=section, title=f"任务{n}", lead_department=xiqiao.economy)
        for n in range(51)
    ]


def reporter(xiqiao):
    return get_user_model().objects.get(pk=xiqiao.users["dept_reporter"].pk)


def filled(xiqiao, period, tasks) -> bytes:
    book = workbook(progress_template(user=reporter(xiqiao), period=period))
    sheet = book.worksheets[0]
    titles = {task.title for task in tasks}
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=TITLE).value in titles:
            sheet.cell(row=row, column=VALUE, value=row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("rows", [1, 50])
def test_an_upload_costs_the_same_queries_for_1_row_as_for_50(
    xiqiao, tasks, rows, django_assert_max_num_queries
):
    period = xiqiao.periods[3]
    chosen = tasks[:1] if rows == 1 else tasks[1:]
    data = filled(xiqiao, period, chosen)
    user = reporter(xiqiao)
    with django_assert_max_num_queries(UPLOAD + (extra_on_sqlite("upload") if rows > 1 else 0)):
        done = progress_import(user=user, upload=upload(data))
    assert (done.created, done.held) == (rows, rows)
    assert ProgressReport.history.filter(
        id__in=[s.report.pk for s in done.submissions]
    ).count() == (2 * rows)


@pytest.mark.parametrize("rows", [1, 50])
def test_a_recorded_batch_costs_the_same_queries_for_1_row_as_for_50(
    xiqiao, tasks, rows, django_assert_max_num_queries
):
    xiqiao.town.review_required = False
    xiqiao.town.save()
    chosen = tasks[:1] if rows == 1 else tasks[1:]
    period = xiqiao.periods[3]
    items = [ProgressItem(target=task, period=period, value=Decimal(5)) for task in chosen] + [
        ProgressItem(
            target=task, as_of=datetime.date(2024, 5, 2), value=Decimal(6), client_key=f"k{n}"
        )
        for n, task in enumerate(chosen)
    ]
    user = reporter(xiqiao)
    bound = RECORDED + (extra_on_sqlite("recorded") if rows > 1 else 0)
    with django_assert_max_num_queries(bound):
        done = progress_submit_many(user=user, items=items)
    assert {s.outcome for s in done} == {"recorded"}
    assert ProgressUpdate.objects.filter(target__in=chosen).count() == 2 * rows
