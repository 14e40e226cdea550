"""A report's as-of date lies within its period: a November report as of May is refused."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from tracker.choices import Role
from tracker.models import ProgressReport
from tracker.workflow import periods_generate, report_save

pytestmark = pytest.mark.django_db
YEAR = 2024


@pytest.fixture
def setup():
    plan = factories.PlanFactory(year=YEAR)
    department = factories.DepartmentFactory(town=plan.town)
    target = factories.TargetFactory(
        section=factories.SectionFactory(plan=plan), lead_department=department
    )
    periods = periods_generate(plan=plan)
    reporter = factories.MembershipFactory(
        town=plan.town, role=Role.REPORTER, department=department
    ).user
    return target, periods[10], reporter  # November


def test_an_as_of_date_outside_the_period_is_a_field_error_and_nothing_is_saved(setup):
    target, november, reporter = setup
    with pytest.raises(ValidationError) as error:
        report_save(
            user=reporter, target=target, period=november, value=Decimal(1),
            as_of=datetime.date(YEAR, 5, 31),
        )  # fmt: skip
    assert "as_of" in error.value.message_dict
    assert "2024-11-01" in error.value.message_dict["as_of"][0]
    assert not ProgressReport.objects.exists()


def test_the_periods_own_days_are_accepted(setup):
    target, november, reporter = setup
    for day in (datetime.date(YEAR, 11, 1), datetime.date(YEAR, 11, 30)):
        report = report_save(
            user=reporter, target=target, period=november, value=Decimal(1), as_of=day
        )
        assert report.as_of == day


def test_the_report_form_says_so(setup, client, settings):
    target, november, reporter = setup
    settings.TRACKER_TODAY = datetime.date(YEAR, 12, 1)
    client.force_login(reporter)
    response = client.post(
        f"/tasks/{target.pk}/{november.pk}/",
        {"value": "1", "as_of": f"{YEAR}-05-31", "note": "", "action": "save"},
    )
    assert response.status_code in (200, 400)
    assert "2024-11-01" in response.content.decode()
    assert not ProgressReport.objects.exists()
