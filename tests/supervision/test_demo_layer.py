"""The demo layer: marked, idempotent, written through the workflow, and removable exactly.

A short story (丹灶 and 西樵, whose 2026 plans are demo plans) keeps these
tests quick; one test tells 西区's too, as `make run` does.
"""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings

from tracker import demo_layer
from tracker.choices import ReportState, Role
from tracker.models import (
    Department,
    Membership,
    Plan,
    ProgressReport,
    ReportingPeriod,
    Target,
)
from tracker.seeding import seed_load

pytestmark = pytest.mark.django_db

SHORT = ["danzao", "xiqiao"]


def table_counts() -> dict[str, int]:
    """Rows in every table of the project (history tables included) and of users."""
    counts = {
        model._meta.label: model.objects.count()
        for model in apps.get_app_config("tracker").get_models()
    }
    counts["users"] = get_user_model().objects.count()
    return counts


def seeded_targets() -> list[tuple]:
    return list(
        Target.objects.filter(plan__is_demo=False)
        .order_by("pk")
        .values_list("pk", "title", "lead_department_id", "latest_update_id", "version")
    )


@pytest.fixture(scope="module")
def story(django_db_setup, django_db_blocker):
    """The seed and the short demo story, built once for the module and rolled back after."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        seed_load()
        demo_layer.demo_add(towns=SHORT)
        yield
        transaction.set_rollback(True)


def test_the_demo_plans_are_copies_of_the_documents_targets_marked_as_demo(story):
    plan = Plan.objects.get(town__slug="danzao", year=2026)
    source = Plan.objects.get(town__slug="danzao", year=2020)
    assert plan.is_demo
    assert plan.title.endswith("（演示）")
    assert plan.status == "active"
    assert sorted(plan.targets.values_list("title", "value", "unit", "quote")) == sorted(
        source.targets.values_list("title", "value", "unit", "quote")
    )
    # The 2020 document's year-end deadline becomes 2026's.
    assert plan.targets.filter(deadline=datetime.date(2026, 12, 31)).exists()
    # The seed's own plans are not demo.
    assert not Plan.objects.filter(year__lt=2026, is_demo=True).exists()


def test_every_target_of_an_active_plan_gets_a_lead_department_of_its_town(story):
    targets = Target.objects.filter(plan__town__slug__in=SHORT, plan__status="active")
    assert targets.exists()
    assert not targets.filter(lead_department__isnull=True).exists()
    for target in targets.select_related("lead_department", "plan"):
        assert target.lead_department.town_id == target.plan.town_id
        assert target.lead_department.is_demo
    land = targets.get(plan__town__slug="xiqiao", title="村级工业园攻坚拆除")
    assert land.lead_department.name == "规划建设和管理办公室"
    names = set(Department.objects.filter(town__slug="danzao").values_list("name", flat=True))
    assert {"经济发展办公室", "规划建设和管理办公室", "农业农村办公室", "党建工作办公室"} <= names


def test_users_reporter_per_department_reviewer_per_town_viewer_per_region(story):
    user = get_user_model().objects.get(username="danzao-jingji")
    assert user.check_password(demo_layer.DEMO_PASSWORD)
    membership = Membership.objects.get(user=user)
    assert (membership.role, membership.department.name) == (Role.REPORTER, "经济发展办公室")
    assert Membership.objects.filter(user__username="danzao-reviewer", role=Role.REVIEWER).exists()
    assert Membership.objects.filter(
        user__username="nanhai-viewer", region__slug="nanhai", role=Role.VIEWER
    ).exists()


def test_reports_in_every_state_written_on_the_days_they_happened(story):
    reports = ProgressReport.objects.filter(target__plan__town__slug__in=SHORT)
    states = set(reports.values_list("state", flat=True))
    assert states == {
        ReportState.APPROVED,
        ReportState.SUBMITTED,
        ReportState.RETURNED,
        ReportState.DRAFT,
    }
    # A target nobody reported on (missing), in a plan whose reporting runs.
    assert Target.objects.filter(
        plan__town__slug="danzao", plan__year=2026, reports__isnull=True
    ).exists()
    day = demo_layer.DEMO_DAY
    for report in reports.select_related("period", "update"):
        assert report.note.startswith(demo_layer.DEMO_NOTE)
        assert report.created_at.date() < day
        if report.submitted_at:
            assert report.submitted_at.date() < day
        if report.reviewed_at:
            assert report.submitted_at < report.reviewed_at
        if report.update:
            assert report.update.reported_at == report.reviewed_at
            assert report.update.as_of == report.period.ends_on
    late = [
        r
        for r in reports.select_related("period")
        if r.submitted_at and r.submitted_at.date() > r.period.due_on
    ]
    assert late, "some reports come in after their due date"
    # Written through the workflow: each approved report has its history.
    approved = reports.filter(state=ReportState.APPROVED).first()
    assert approved.history.count() >= 3  # saved, submitted, approved


def test_a_second_run_changes_nothing(story):
    before = table_counts()
    again = demo_layer.demo_add(towns=SHORT)
    assert not again.changed
    assert table_counts() == before


def test_on_1_december_the_demo_shows_green_yellow_and_red(story):
    from tracker.workflow import cycle_for

    day = demo_layer.DEMO_DAY
    targets = list(
        Target.objects.filter(plan__town__slug__in=SHORT, plan__year=2026).select_related(
            "plan", "latest_update"
        )
    )
    cycle = cycle_for(targets, day)
    levels = {cycle.flag(t, t.assess(day)).level for t in targets}
    assert levels == {"red", "yellow", "green"}
    assert ReportingPeriod.objects.filter(plan__year=2026, plan__town__slug__in=SHORT).count() == 24
