"""Status history: month-end snapshots are facts about the day they judge."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests import factories
from tracker import freshness
from tracker.choices import Status
from tracker.models import ProgressUpdate, StatusSnapshot
from tracker.snapshots import months_to_keep, snapshot_take

D = datetime.date


def _report(target, as_of, value, recorded_on, note=""):
    """An update recorded on `recorded_on` (the clock set back, as a past report was)."""
    moment = timezone.make_aware(datetime.datetime.combine(recorded_on, datetime.time(10)))
    field = ProgressUpdate._meta.get_field("reported_at")
    with mock.patch.object(field, "_get_default", return_value=moment):
        return ProgressUpdate.objects.create(target=target, as_of=as_of, value=value, note=note)


@pytest.fixture
def target(db):
    plan = factories.PlanFactory(year=2026)
    return factories.TargetFactory(section=factories.SectionFactory(plan=plan))  # 2500 亩


def test_a_past_month_is_judged_on_its_last_day_with_the_reports_recorded_by_then(target):
    _report(target, D(2026, 3, 31), Decimal("400"), D(2026, 4, 2))  # March's, recorded in April
    _report(target, D(2026, 4, 30), Decimal("1000"), D(2026, 4, 30))
    result = snapshot_take(month=D(2026, 3, 1), today=D(2026, 12, 1))
    assert (result.written, result.judged_on) == (1, D(2026, 3, 31))
    march = StatusSnapshot.objects.get(target=target, month=D(2026, 3, 1))
    assert (march.status, march.value, march.percent) == (Status.NO_DATA, None, None)
    snapshot_take(month=D(2026, 4, 1), today=D(2026, 12, 1))
    april = StatusSnapshot.objects.get(target=target, month=D(2026, 4, 1))
    # 1000 of 2500 = 40% with 120/365 of the year gone: pace 1.22, on track.
    assert (april.status, april.value, april.percent) == (Status.ON_TRACK, 1000, Decimal("40.00"))
    assert april.as_of == D(2026, 4, 30)
    assert april.taken_on == D(2026, 4, 30)


def test_a_final_month_is_never_rewritten_and_a_running_month_is_retaken(target):
    _report(target, D(2026, 11, 10), Decimal("2000"), D(2026, 11, 10))
    snapshot_take(month=D(2026, 11, 1), today=D(2026, 11, 20))
    provisional = StatusSnapshot.objects.get(month=D(2026, 11, 1))
    assert provisional.taken_on == D(2026, 11, 20)
    _report(target, D(2026, 11, 25), Decimal("2500"), D(2026, 11, 25))
    snapshot_take(month=D(2026, 11, 1), today=D(2026, 12, 1))
    final = StatusSnapshot.objects.get(month=D(2026, 11, 1))
    assert (final.taken_on, final.value, final.status) == (D(2026, 11, 30), 2500, Status.ACHIEVED)
    # A correction recorded later does not change November's fact.
    _report(target, D(2026, 11, 25), Decimal("2100"), D(2026, 12, 1))
    version = freshness.current()
    again = snapshot_take(month=D(2026, 11, 1), today=D(2026, 12, 1))
    assert (again.written, again.kept) == (0, 1)
    assert freshness.current() > version  # the overview's cached answers go
    assert StatusSnapshot.objects.get(month=D(2026, 11, 1)).value == 2500


def test_command_backfills_each_month_once(target):
    _report(target, D(2026, 6, 30), Decimal("1500"), D(2026, 7, 1))  # 60% by 31 July: on track
    with mock.patch("tracker.management.commands.snapshot_statuses.reporting_today") as today:
        today.return_value = D(2026, 12, 1)
        call_command("snapshot_statuses", stdout=open("/dev/null", "w"))
        assert StatusSnapshot.objects.count() == 12
        call_command("snapshot_statuses", stdout=open("/dev/null", "w"))
        assert StatusSnapshot.objects.count() == 12
        statuses = dict(StatusSnapshot.objects.values_list("month__month", "status"))
        assert statuses[6] == Status.NO_DATA
        assert statuses[7] == Status.ON_TRACK
        with pytest.raises(CommandError, match="month like 2026-11"):
            call_command("snapshot_statuses", month="11/2026")
        with pytest.raises(CommandError, match="has not begun"):
            call_command("snapshot_statuses", month="2027-01")


def test_months_kept_reach_back_to_last_months_year():
    assert months_to_keep(D(2027, 1, 1))[0] == D(2026, 1, 1)
    assert len(months_to_keep(D(2027, 1, 1))) == 13
    assert months_to_keep(D(2026, 12, 1)) == [D(2026, m, 1) for m in range(1, 13)]


def test_one_snapshot_per_target_and_month_in_the_database(target):
    fields = {"target": target, "status": Status.NO_DATA, "taken_on": D(2026, 3, 31)}
    StatusSnapshot.objects.create(month=D(2026, 3, 1), **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusSnapshot.objects.create(month=D(2026, 3, 1), **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusSnapshot.objects.create(month=D(2026, 3, 2), **fields)


def test_the_constraints_speak_in_validation_too(target):
    from django.core.exceptions import ValidationError

    fields = {"target": target, "status": Status.NO_DATA, "taken_on": D(2026, 3, 31)}
    StatusSnapshot.objects.create(month=D(2026, 3, 1), **fields)
    with pytest.raises(ValidationError, match="already has a snapshot"):
        StatusSnapshot(month=D(2026, 3, 1), **fields).full_clean()
    with pytest.raises(ValidationError, match="first day"):
        StatusSnapshot(month=D(2026, 4, 2), **{**fields, "taken_on": D(2026, 4, 30)}).full_clean()
