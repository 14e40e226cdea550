"""Progress updates are append-only, down to the database on PostgreSQL."""

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from tests.conftest import on_postgresql
from tracker.models import ProgressUpdate
from tracker.services import progress_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def update(target):
    return progress_record(target=target, as_of=datetime.date(2024, 3, 31), value=Decimal("10"))


@pytest.mark.skipif(not on_postgresql(), reason="the trigger exists on PostgreSQL only")
def test_database_refuses_an_update_of_a_progress_row(update):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ProgressUpdate.objects.filter(pk=update.pk).update(value=Decimal("99"))
    assert ProgressUpdate.objects.get(pk=update.pk).value == Decimal("10")


@pytest.mark.skipif(not on_postgresql(), reason="the trigger exists on PostgreSQL only")
def test_database_refuses_a_delete_of_a_progress_row(update):
    # Raw SQL: the ORM would stop earlier, at the target's protected reference.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM tracker_progressupdate WHERE id = %s", [update.pk])
    assert ProgressUpdate.objects.filter(pk=update.pk).exists()


def test_a_correction_is_a_new_row_naming_the_one_it_corrects(update):
    fix = progress_record(
        target=update.target,
        as_of=update.as_of,
        value=Decimal("8"),
        corrects=update,
        note="统计口径更正",
    )
    assert ProgressUpdate.objects.count() == 2
    assert list(update.corrections.all()) == [fix]
