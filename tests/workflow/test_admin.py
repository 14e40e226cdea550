"""The reporting workflow in the admin: filling in periods, and progress entered on a target's page."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tracker.choices import ReportState
from tracker.models import ProgressReport, ProgressUpdate, ReportingPeriod, Target

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


# --- progress entered on a target's page goes through the one submission policy ----------


def progress_form(xiqiao, target, **progress) -> dict:
    """The POST of a target's change page by a reporter (its fields are read only to them)."""
    data = {
        "seen_version": target.version,
        "updates-TOTAL_FORMS": "1",
        "updates-INITIAL_FORMS": "0",
        "updates-MIN_NUM_FORMS": "0",
        "updates-MAX_NUM_FORMS": "1",
        "updates-0-as_of": "2024-03-31",
        "updates-0-value": "600",
        "updates-0-milestone_done": "unknown",
        "updates-0-note": "三月",
        "updates-0-evidence_url": "",
        "nodes-TOTAL_FORMS": "0",
        "nodes-INITIAL_FORMS": "0",
        "nodes-MIN_NUM_FORMS": "0",
        "nodes-MAX_NUM_FORMS": "1000",
        "updates-2-TOTAL_FORMS": "0",
        "updates-2-INITIAL_FORMS": "0",
        "updates-2-MIN_NUM_FORMS": "0",
        "updates-2-MAX_NUM_FORMS": "0",
    }
    data.update({f"updates-0-{key}": value for key, value in progress.items()})
    return data


def post_progress(client, xiqiao, actor, target, **progress):
    client.force_login(staff(xiqiao, actor))
    url = reverse("admin:tracker_target_change", args=[target.pk])
    return client.post(url, progress_form(xiqiao, target, **progress), follow=True)


def test_a_reporters_admin_entry_in_a_reviewing_town_is_held_like_any_other(client, xiqiao):
    response = post_progress(client, xiqiao, "dept_reporter", xiqiao.land)
    assert response.redirect_chain, response.context["errors"]
    report = ProgressReport.objects.get()
    assert (report.state, report.period, report.value, report.note) == (
        ReportState.SUBMITTED,
        xiqiao.periods[2],
        Decimal("600"),
        "三月",
    )
    assert not ProgressUpdate.objects.exists()  # nothing counts before a reviewer approves
    assert Target.objects.get(pk=xiqiao.land.pk).latest_update is None
    assert "Submitted for review" in response.content.decode()


def test_an_admin_entry_counts_at_once_where_no_review_is_needed(client, xiqiao):
    xiqiao.town.review_required = False
    xiqiao.town.save()
    response = post_progress(client, xiqiao, "dept_reporter", xiqiao.land)
    assert response.redirect_chain
    update = ProgressUpdate.objects.get()
    assert Target.objects.get(pk=xiqiao.land.pk).latest_update == update
    assert update.reported_by == xiqiao.users["dept_reporter"]


def test_another_departments_target_takes_no_progress_in_the_admin(client, xiqiao):
    response = post_progress(client, xiqiao, "dept_reporter", xiqiao.roads)
    assert response.status_code == 403  # access.may_report: the department rule
    assert not ProgressReport.objects.exists()
    assert not ProgressUpdate.objects.exists()


def test_a_period_already_submitted_is_a_form_error_in_the_admin(client, xiqiao):
    xiqiao.submitted(period=2, value="500")
    response = post_progress(client, xiqiao, "dept_reporter", xiqiao.land)
    assert not response.redirect_chain
    assert "cannot be replaced" in response.content.decode()
    assert ProgressReport.objects.get().value == Decimal("500")
