"""The demo's 交办 story: 南海区's task, signed and reported by 丹灶镇, unsigned by 西樵镇."""

import pytest
from django.db import transaction
from django.test import override_settings

from tracker import demo_layer
from tracker.choices import ReceiptState, ReportState, WarningLevel
from tracker.models import Assignment, Plan, Region, Target
from tracker.ranking import region_ranking, warning
from tracker.seeding import seed_load
from tracker.selectors import target_rows
from tracker.workflow import receipt_state

pytestmark = pytest.mark.django_db
DAY = demo_layer.DEMO_DAY


@pytest.fixture(scope="module")
def story(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        seed_load()
        demo_layer.demo_add(towns=["danzao", "xiqiao"], tasks=True)
        yield
        transaction.set_rollback(True)


def test_one_town_signed_and_reported_the_other_is_flagged(story):
    assignment = Assignment.objects.get()
    rows = {row.town.name: row for row in target_rows(assignment.receipts.all(), DAY)}
    assert receipt_state(rows["丹灶镇"], DAY) == ReceiptState.SIGNED
    assert rows["丹灶镇"].lead_department.name == "综合治理办公室"
    report = Target.objects.get(pk=rows["丹灶镇"].pk).reports.get()
    assert report.state == ReportState.APPROVED
    assert receipt_state(rows["西樵镇"], DAY) == ReceiptState.LATE
    assert "assigned task not signed for by 2026-11-13" in warning(rows["西樵镇"], DAY).reasons
    assert warning(rows["丹灶镇"], DAY).level == WarningLevel.GREEN


def test_the_ranking_shows_the_unsigned_task(story):
    ranking = region_ranking(Region.objects.get(slug="nanhai"), 2026, DAY, Plan.objects.all())
    standings = {s.name: s for s in ranking.standings}
    assert (standings["西樵镇"].assigned_count, standings["西樵镇"].unsigned_late_count) == (1, 1)
    assert (standings["丹灶镇"].assigned_count, standings["丹灶镇"].unsigned_late_count) == (1, 0)


def test_a_second_run_adds_nothing_and_removal_takes_the_task(story):
    with transaction.atomic():  # undone after, so the other tests meet the story in any order
        assert not demo_layer.demo_add(towns=["danzao", "xiqiao"], tasks=True).changed
        removed = demo_layer.demo_remove()
        assert removed.created["assigned tasks"] == 1
        assert not Assignment.objects.exists()
        assert not Target.objects.filter(assignment__isnull=False).exists()
        transaction.set_rollback(True)
    assert Assignment.objects.exists()
