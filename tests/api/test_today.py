"""With TRACKER_TODAY set, every face judges status and warnings on that one day."""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from tests import factories
from tracker import workflow
from tracker.choices import Frequency, Status
from tracker.services import progress_record

pytestmark = pytest.mark.django_db

DEMO_DAY = datetime.date(2024, 7, 1)


@pytest.fixture
def half_way(settings):
    """2500 亩 due at the end of 2024, 1300 reached by 30 June, monthly reporting."""
    plan = factories.PlanFactory(year=2024)
    lead = factories.DepartmentFactory(town=plan.town)
    target = factories.TargetFactory(section=factories.SectionFactory(plan=plan))
    target.lead_department = lead
    target.save()
    workflow.periods_generate(plan=plan, frequency=Frequency.MONTHLY)
    progress_record(target=target, as_of=datetime.date(2024, 6, 30), value=Decimal("1300"))
    settings.TRACKER_TODAY = DEMO_DAY
    return target


def test_the_api_judges_status_and_warning_on_tracker_today(half_way):
    # On the real calendar (after 2024) the deadline has passed unmet: "behind", red.
    # On 1 July 2024 the target is at 52% with half the year gone: on track, and the
    # warning says only that June's report is due, nothing about the pace.
    client = APIClient()
    listed = client.get("/api/targets/").json()["results"][0]
    shown = client.get(f"/api/targets/{half_way.pk}/").json()
    for data in (listed, shown):
        assert data["status"] == Status.ON_TRACK
        assert data["warning"] is not None
        assert "behind the expected pace" not in data["warning"]["reasons"]
    summary = client.get(f"/api/plans/{half_way.plan_id}/summary/").json()
    assert summary["counts"][Status.ON_TRACK] == 1


def test_without_tracker_today_the_same_target_is_not_achieved(half_way, settings):
    settings.TRACKER_TODAY = None
    data = APIClient().get("/api/targets/").json()["results"][0]
    assert data["status"] == Status.UNMET  # on the calendar date its year is over
    assert "not achieved by its deadline" in data["warning"]["reasons"]
