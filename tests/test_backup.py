"""Backup and restore: a dump restored into an empty database holds the same records."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from tracker.models import GoalSection, Plan, ProgressUpdate, Target
from tracker.seeding import seed_load
from tracker.services import progress_record

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot() -> dict:
    """Every field of every plan, section, target and update (and the history rows)."""
    return {
        model.__name__: sorted(model.objects.values_list(), key=lambda row: row[0])
        for model in (Plan, GoalSection, Target, ProgressUpdate, Target.history.model)
    }


def test_dump_restores_into_an_empty_database_identically(tmp_path):
    seed_load()
    target = Target.objects.filter(kind="quantitative", plan__year=2026).first()
    progress_record(
        target=target, as_of=datetime.date(2026, 1, 31), value=Decimal("1.5"), note="一月"
    )
    before = snapshot()
    assert before["ProgressUpdate"]
    assert before["Target"]

    # YAML, not JSON: Django's JSON encoder cuts timestamps to milliseconds.
    dump = tmp_path / "backup.yaml"
    call_command(
        "dumpdata", "tracker", "auth.user", "--natural-foreign", "--format", "yaml",
        output=str(dump), verbosity=0,
    )  # fmt: skip
    call_command("flush", "--no-input", verbosity=0)
    assert not Target.objects.exists()

    call_command("loaddata", str(dump), verbosity=0)
    assert snapshot() == before
