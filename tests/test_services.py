"""Writes through tracker/services.py: appending progress and version-checked edits."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from tracker.models import ProgressUpdate, Target
from tracker.services import VersionConflict, progress_record, record_edit

pytestmark = pytest.mark.django_db


def test_recording_progress_makes_it_the_current_value(target):
    update = progress_record(
        target=target, as_of=datetime.date(2024, 6, 30), value=Decimal("1641.72")
    )
    assert Target.objects.get(pk=target.pk).latest_update == update


def test_an_older_report_recorded_later_does_not_replace_the_current_one(target):
    june = progress_record(target=target, as_of=datetime.date(2024, 6, 30), value=Decimal("1600"))
    progress_record(target=target, as_of=datetime.date(2024, 3, 31), value=Decimal("800"))
    assert Target.objects.get(pk=target.pk).latest_update == june
    assert target.updates.count() == 2


def test_a_correction_on_the_same_day_becomes_current(target):
    first = progress_record(target=target, as_of=datetime.date(2024, 6, 30), value=Decimal("1600"))
    fix = progress_record(
        target=target, as_of=datetime.date(2024, 6, 30), value=Decimal("1500"), corrects=first
    )
    assert Target.objects.get(pk=target.pk).latest_update == fix
    assert fix.corrects == first


def test_a_retry_with_the_same_client_key_records_once(target):
    first = progress_record(
        target=target, as_of=datetime.date(2024, 6, 30), value=Decimal("5"), client_key="k1"
    )
    again = progress_record(
        target=target, as_of=datetime.date(2024, 6, 30), value=Decimal("5"), client_key="k1"
    )
    assert first.pk == again.pk
    assert target.updates.count() == 1


def test_an_invalid_update_saves_nothing(target):
    with pytest.raises(ValidationError):
        progress_record(target=target, as_of=datetime.date(2023, 1, 1), value=Decimal("5"))
    assert not ProgressUpdate.objects.exists()
    assert Target.objects.get(pk=target.pk).latest_update is None


def test_reporter_is_recorded(target):
    user = factories.UserFactory()
    update = progress_record(
        target=target, as_of=datetime.date(2024, 1, 31), value=Decimal("5"), reported_by=user
    )
    assert update.reported_by == user
    assert update.reported_at is not None


def test_edit_with_the_current_version_moves_it_on(target):
    user = factories.UserFactory()
    edited = record_edit(
        instance=target, changes={"value": Decimal("3000")}, expected_version=1, user=user
    )
    assert (edited.value, edited.version, edited.updated_by) == (Decimal("3000"), 2, user)
    assert edited.history.count() == 2  # creation and this edit


def test_stale_edit_is_refused_and_changes_nothing(target):
    record_edit(instance=target, changes={"value": Decimal("3000")}, expected_version=1, user=None)
    with pytest.raises(VersionConflict) as caught:
        record_edit(instance=target, changes={"value": Decimal("1")}, expected_version=1, user=None)
    assert caught.value.current_version == 2
    assert Target.objects.get(pk=target.pk).value == Decimal("3000")


def test_invalid_edit_does_not_move_the_version(target):
    with pytest.raises(ValidationError):
        record_edit(
            instance=target, changes={"value": Decimal("-5")}, expected_version=1, user=None
        )
    assert Target.objects.get(pk=target.pk).version == 1
