"""Filling in a plan's reporting periods from the admin's plan list."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tracker.models import ReportingPeriod

pytestmark = pytest.mark.django_db


def staff(xiqiao, actor: str):
    user = xiqiao.users[actor]
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="tracker"))
    return user


@pytest.mark.parametrize(("actor", "periods"), [("editor", 4), ("dept_reporter", 0)])
def test_a_towns_editor_fills_in_its_plans_periods(client, xiqiao, actor, periods):
    plan = type(xiqiao.plan).objects.create(town=xiqiao.town, year=2025, title="2025年")
    client.force_login(staff(xiqiao, actor))
    response = client.post(
        reverse("admin:tracker_plan_changelist"),
        {"action": "generate_quarterly_periods", "_selected_action": [plan.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert ReportingPeriod.objects.filter(plan=plan).count() == periods
