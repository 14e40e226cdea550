"""Review up the hierarchy (上级审核): a region that reviews key items approves after the town."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from tests import factories
from tests.assignments.conftest import YEAR
from tracker.choices import ReportState, Role
from tracker.models import Membership, ProgressUpdate, ReportingPeriod
from tracker.workflow import (
    cycle_for,
    report_approve,
    report_return,
    report_save,
    report_submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_world(world):
    world.district.key_review = True
    world.district.save()
    reviewer = factories.UserFactory(username="district_reviewer")
    Membership.objects.create(user=reviewer, region=world.district, role=Role.REVIEWER)
    world.users["district_reviewer"] = reviewer
    plan = world.a.plans.get(year=YEAR)
    section = factories.SectionFactory(plan=plan)
    world.key_target = factories.TargetFactory(
        section=section, is_key=True, lead_department=world.a_economy
    )
    world.plain_target = factories.TargetFactory(section=section, lead_department=world.a_economy)
    world.period = ReportingPeriod.objects.get(plan=plan, starts_on=datetime.date(YEAR, 10, 1))
    return world


def submitted(world, target):
    report = report_save(
        user=world.users["a_dept_reporter"], target=target, period=world.period, value=1000
    )
    return report_submit(user=world.users["a_dept_reporter"], report=report)


def test_a_key_items_report_counts_only_after_the_region_approves(key_world):
    w = key_world
    report = report_approve(user=w.users["a_reviewer"], report=submitted(w, w.key_target))
    assert report.state == ReportState.ENDORSED
    assert report.endorsed_by == w.users["a_reviewer"]
    assert not ProgressUpdate.objects.filter(target=w.key_target).exists()
    target = type(w.key_target).objects.select_related("plan").get(pk=w.key_target.pk)
    assert cycle_for([target], datetime.date(YEAR, 11, 20)).settled(target, w.period)
    report = report_approve(user=w.users["district_reviewer"], report=report)
    assert report.state == ReportState.APPROVED
    assert report.reviewed_by == w.users["district_reviewer"]
    assert ProgressUpdate.objects.get(target=w.key_target).value == 1000


def test_other_items_and_regions_that_do_not_review_stay_one_step(key_world):
    w = key_world
    plain = report_approve(user=w.users["a_reviewer"], report=submitted(w, w.plain_target))
    assert plain.state == ReportState.APPROVED
    w.district.key_review = False
    w.district.save()
    w.period = ReportingPeriod.objects.get(plan=w.period.plan, starts_on=datetime.date(YEAR, 9, 1))
    key = report_approve(user=w.users["a_reviewer"], report=submitted(w, w.key_target))
    assert key.state == ReportState.APPROVED


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        ("district_reviewer", True),
        ("superuser", True),
        ("a_reviewer", False),  # the town's step is taken
        ("district_viewer", False),
        ("district_editor", False),
        ("a_editor", False),
        ("outsider", False),
    ],
)
def test_who_approves_an_endorsed_report(key_world, user, allowed):
    w = key_world
    report = report_approve(user=w.users["a_reviewer"], report=submitted(w, w.key_target))
    if allowed:
        assert report_approve(user=w.users[user], report=report).state == ReportState.APPROVED
    else:
        with pytest.raises(PermissionDenied):
            report_approve(user=w.users[user], report=report)
        with pytest.raises(PermissionDenied):
            report_return(user=w.users[user], report=report, reason="请补充")
        report.refresh_from_db()
        assert report.state == ReportState.ENDORSED


def test_the_region_returns_an_endorsed_report_with_a_reason(key_world):
    w = key_world
    report = report_approve(user=w.users["a_reviewer"], report=submitted(w, w.key_target))
    returned = report_return(
        user=w.users["district_reviewer"], report=report, reason="数据口径不一致"
    )
    assert returned.state == ReportState.RETURNED
    assert returned.return_reason == "数据口径不一致"


def test_the_region_reviewer_finds_and_approves_it_through_the_api(key_world):
    w = key_world
    report = report_approve(user=w.users["a_reviewer"], report=submitted(w, w.key_target))
    client = APIClient()
    client.force_login(w.users["district_reviewer"])
    listed = client.get("/api/reports/").json()
    assert [r["id"] for r in listed["results"]] == [report.pk]
    approved = client.post(f"/api/reports/{report.pk}/approve/")
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "approved"
    page = client.get("/duban/")
    assert page.status_code == 200
