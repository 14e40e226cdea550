"""The demo data generator: deterministic, the sizes asked for, and careful with real data."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from tests import factories
from tracker.demo import generate
from tracker.models import Plan, ProgressUpdate, Target

pytestmark = pytest.mark.django_db
SIZE = {"towns": 3, "years": 2, "targets_per_plan": 10, "updates_per_target": 4}


def fingerprint():
    return (
        list(Target.objects.order_by("id").values_list("kind", "comparison", "value", "unit")),
        list(ProgressUpdate.objects.order_by("id").values_list("as_of", "value", "milestone_done")),
    )


def test_generates_the_sizes_asked_for_with_current_values():
    counts = generate(seed=1, **SIZE)
    assert (counts.towns, counts.plans, counts.targets, counts.updates) == (3, 6, 60, 240)
    assert not Target.objects.filter(latest_update__isnull=True).exists()
    assert {kind for kind, *_ in fingerprint()[0]} == {"quantitative", "milestone"}


def test_the_same_seed_gives_the_same_rows():
    with transaction.atomic():  # generated, read, then rolled back
        generate(seed=5, **SIZE)
        first = fingerprint()
        transaction.set_rollback(True)
    assert not Target.objects.exists()
    generate(seed=5, **SIZE)
    assert fingerprint() == first


def test_refuses_a_database_with_real_plans_unless_told():
    factories.PlanFactory()
    with pytest.raises(CommandError, match="non-demo"):
        call_command("generate_demo_data", "--towns", "1", "--targets-per-plan", "2")
    call_command(
        "generate_demo_data", "--towns", "1", "--targets-per-plan", "2", "--allow-real-data"
    )
    assert Plan.objects.count() == 1 + 2
