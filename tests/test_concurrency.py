"""Concurrent reporters against one target, with real threads on PostgreSQL."""

import datetime
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from tests import factories
from tests.conftest import on_postgresql
from tracker.models import ProgressUpdate, Target
from tracker.services import VersionConflict, progress_record, record_edit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not on_postgresql(), reason="real concurrent writers need PostgreSQL"),
]

CLIENTS, UPDATES_EACH = 20, 50


def in_own_connection(work):
    def run(*args):
        try:
            return work(*args)
        finally:
            connections.close_all()  # each thread opened its own connection

    return run


def test_twenty_clients_times_fifty_updates_are_all_kept_and_the_latest_wins():
    today = timezone.localdate()
    plan = factories.PlanFactory(year=today.year)
    target = factories.TargetFactory(section=factories.SectionFactory(plan=plan))
    days = (today - plan.starts_on).days + 1

    @in_own_connection
    def client(number: int) -> int:
        for n in range(UPDATES_EACH):
            as_of = plan.starts_on + datetime.timedelta(days=(number * UPDATES_EACH + n) % days)
            progress_record(
                target=Target(pk=target.pk), as_of=as_of, value=Decimal(number * 1000 + n)
            )
        return UPDATES_EACH

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        sent = sum(pool.map(client, range(CLIENTS)))

    assert sent == CLIENTS * UPDATES_EACH
    assert ProgressUpdate.objects.filter(target=target).count() == CLIENTS * UPDATES_EACH
    truly_latest = ProgressUpdate.objects.filter(target=target).order_by("-as_of", "-id").first()
    assert Target.objects.get(pk=target.pk).latest_update_id == truly_latest.pk
    connection.close()


def test_two_editors_with_the_same_version_one_wins_one_is_refused():
    target = factories.TargetFactory()
    barrier_results = []

    @in_own_connection
    def editor(value: str) -> str:
        try:
            record_edit(
                instance=Target(pk=target.pk),
                changes={"value": Decimal(value)},
                expected_version=1,
                user=None,
            )
            return "saved"
        except VersionConflict:
            return "conflict"

    with ThreadPoolExecutor(max_workers=2) as pool:
        barrier_results = sorted(pool.map(editor, ["3000", "4000"]))

    assert barrier_results == ["conflict", "saved"]
    assert Target.objects.get(pk=target.pk).version == 2
