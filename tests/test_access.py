"""The authorisation rules of tracker/access.py, on plans of two towns."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tests import factories
from tracker.access import scope_for
from tracker.choices import PlanStatus, Role
from tracker.models import Plan, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_towns():
    mine = factories.PlanFactory(status=PlanStatus.DRAFT)
    theirs_draft = factories.PlanFactory(status=PlanStatus.DRAFT)
    theirs_public = factories.PlanFactory(
        town=theirs_draft.town, year=2023, status=PlanStatus.ACTIVE
    )
    return mine, theirs_draft, theirs_public


def readable_plans(user):
    return set(Plan.objects.filter(scope_for(user).readable()))


def test_anonymous_reads_only_published_plans(two_towns):
    mine, theirs_draft, theirs_public = two_towns
    assert readable_plans(AnonymousUser()) == {theirs_public}


def test_town_member_reads_own_drafts_and_others_published(two_towns):
    mine, theirs_draft, theirs_public = two_towns
    member = factories.MembershipFactory(town=mine.town, role=Role.REPORTER).user
    assert readable_plans(member) == {mine, theirs_public}


def test_region_member_reads_everything_below_the_region(two_towns):
    mine, theirs_draft, theirs_public = two_towns
    user = factories.UserFactory()
    user.memberships.create(region=mine.town.region.parent, role=Role.VIEWER)
    assert readable_plans(user) == {mine, theirs_public}


def test_superuser_reads_everything(two_towns):
    assert readable_plans(factories.UserFactory(is_superuser=True)) == set(two_towns)


def test_readable_through_a_relation(two_towns):
    mine, *_ = two_towns
    target = factories.TargetFactory(section=factories.SectionFactory(plan=mine))
    assert not Target.objects.filter(scope_for(AnonymousUser()).readable("plan")).exists()
    member = factories.MembershipFactory(town=mine.town, role=Role.VIEWER).user
    assert list(Target.objects.filter(scope_for(member).readable("plan"))) == [target]


def test_roles_are_per_town(two_towns):
    mine, theirs_draft, _ = two_towns
    reporter = factories.MembershipFactory(town=mine.town, role=Role.REPORTER).user
    scope = scope_for(reporter)
    assert scope.can_report(mine.town_id)
    assert not scope.can_report(theirs_draft.town_id)
    assert not scope.can_edit(mine.town_id)
