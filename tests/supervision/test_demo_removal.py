"""Removing the demo layer takes it away, and only it; the command adds, prints and removes."""

import datetime

import pytest
from django.core.management import call_command

from tests.supervision.test_demo_layer import seeded_targets, table_counts
from tracker import demo_layer, freshness
from tracker.choices import Role
from tracker.models import DemoRecord, Membership, ProgressUpdate, ReportingPeriod, Target
from tracker.seeding import seed_load

pytestmark = pytest.mark.django_db

SHORT = ["danzao", "xiqiao"]


@pytest.fixture
def seed_here():
    seed_load()


def test_removal_takes_the_demo_away_and_only_it(seed_here):
    # 西区's seeded plan is told too (its targets get demo departments and
    # reports); five of its targets are enough and keep the test quick.
    xiqu = Target.objects.filter(plan__town__slug="xiqu").order_by("pk")
    Target.objects.filter(pk__in=list(xiqu.values_list("pk", flat=True)[5:])).delete()
    before_counts, before_targets = table_counts(), seeded_targets()
    version = freshness.current()
    demo_layer.demo_add(towns=[*SHORT, "xiqu"])
    assert freshness.current() > version  # cached answers go (tracker.freshness)
    assert not xiqu.filter(lead_department__isnull=True).exists()
    assert ProgressUpdate.objects.filter(target__plan__town__slug="xiqu").exists()
    version = freshness.current()
    removed = demo_layer.demo_remove()
    assert removed.changed
    assert freshness.current() > version
    assert table_counts() == before_counts
    assert seeded_targets() == before_targets
    assert not DemoRecord.objects.exists()
    assert not demo_layer.demo_remove().changed


def test_removal_also_takes_what_people_did_in_the_demo(seed_here):
    from tracker.workflow import report_save

    before = table_counts()
    demo_layer.demo_add(towns=["danzao"])
    target = Target.objects.get(plan__town__slug="danzao", plan__year=2026, reports__isnull=True)
    reporter = Membership.objects.get(department=target.lead_department, role=Role.REPORTER).user
    period = ReportingPeriod.objects.get(plan=target.plan, starts_on=datetime.date(2026, 11, 1))
    report_save(user=reporter, target=target, period=period, value=None, milestone_done=True)
    demo_layer.demo_remove()
    assert table_counts() == before


def test_removal_takes_the_month_end_statuses_judged_on_the_demo(seed_here):
    from tracker.models import StatusSnapshot
    from tracker.snapshots import snapshot_take

    october, today = datetime.date(2026, 10, 1), datetime.date(2026, 12, 1)

    def kept():
        return set(StatusSnapshot.objects.values_list("target_id", "status", "percent"))

    demo_layer.demo_add(towns=["xiqu"])  # its seeded 2026 plan gets demo reports
    snapshot_take(month=october, today=today)
    with_demo = kept()
    demo_layer.demo_remove()
    remaining = kept()
    assert len(remaining) < len(with_demo)
    # Nothing that remains disagrees with the seed alone: taking the month again
    # (what `snapshot_statuses` does for what went) says the same of every one.
    StatusSnapshot.objects.all().delete()
    snapshot_take(month=october, today=today)
    assert remaining <= kept()


def test_the_command_adds_prints_the_logins_and_removes(seed_here, capsys, monkeypatch):
    monkeypatch.setattr(demo_layer, "demo_add", lambda: demo_layer.DemoSummary())
    call_command("seed", "--demo")
    out = capsys.readouterr().out
    assert demo_layer.DEMO_PASSWORD in out
    assert "TRACKER_TODAY=2026-12-01" in out
    call_command("seed", "--remove-demo")
    assert "nothing removed" in capsys.readouterr().out
