"""The authorisation rules of tracker/access.py, on plans of two towns."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tests import factories
from tracker.access import ROUTES, Action, may, restrict, rule, scope_for
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


# --- each rule answers the same as a yes/no and as a filter ---------------------------------


@pytest.fixture
def varied_world():
    """Two towns in one district, a third elsewhere; every kind of row and of user."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from tracker.models import Membership, PlanImport, SectionCandidate, SourceDocument
    from tracker.services import progress_record
    from tracker.workflow import periods_generate, report_save

    admin = factories.UserFactory(is_superuser=True)
    a = factories.TownFactory()
    b = factories.TownFactory(region=a.region)
    c = factories.TownFactory()
    shared = factories.SourceDocumentFactory()
    for town, status in ((a, PlanStatus.DRAFT), (b, PlanStatus.ACTIVE), (c, PlanStatus.DRAFT)):
        led, other = factories.DepartmentFactory(town=town), factories.DepartmentFactory(town=town)
        plan = factories.PlanFactory(town=town, year=2024, status=status)
        document = factories.SourceDocumentFactory()
        plan.documents.add(document, shared) if town != c else plan.documents.add(document)
        for department in (led, other):
            target = factories.TargetFactory(section__plan=plan, lead_department=department)
            progress_record(target=target, as_of=factories.a_day_in(2024), value=Decimal("1"))
            period = periods_generate(plan=plan)[0]
            report_save(user=admin, target=target, period=period, value=Decimal("1"))
        plan_import = PlanImport.objects.create(source_document=document, town=town, year=2024)
        SectionCandidate.objects.create(plan_import=plan_import, position=1, title="一")
    users = {"anonymous": AnonymousUser(), "superuser": admin}
    for name, town, role, department in (
        ("editor_a", a, Role.EDITOR, None),
        ("reporter_a", a, Role.REPORTER, None),
        ("dept_reporter_a", a, Role.REPORTER, a.departments.first()),
        ("reviewer_a", a, Role.REVIEWER, None),
        ("viewer_a", a, Role.VIEWER, None),
        ("editor_c", c, Role.EDITOR, None),
    ):
        users[name] = factories.UserFactory(username=name)
        Membership.objects.create(user=users[name], town=town, role=role, department=department)
    users["region_viewer"] = factories.UserFactory(username="region_viewer")
    Membership.objects.create(user=users["region_viewer"], region=a.region, role=Role.VIEWER)
    SourceDocument.objects.create(title="手工", text="手工添加", created_by=users["editor_a"])
    Membership.objects.create(user=admin, region=c.region, role=Role.VIEWER)
    assert get_user_model().objects.count() >= 8
    return users


def loaded(model, route):
    """The model's rows with what the yes/no reads joined in, as the faces load them."""
    if route.many or not route.towns:
        return model._default_manager.all()
    paths = [p for p in (route.towns[0], route.plan, route.target) if p]
    paths += ["__".join(p for p in (route.towns[0], "region") if p)]
    return model._default_manager.select_related(*paths)


@pytest.mark.parametrize("action", list(Action))
def test_each_rule_says_the_same_as_a_yes_no_and_as_a_filter(varied_world, action):
    rows = {model: list(loaded(model, route)) for model, route in ROUTES.items()}
    for name, user in varied_world.items():
        for model in ROUTES:
            allowed = set(restrict(model._default_manager.all(), user, action))
            for row in rows[model]:
                assert may(user, action, row) == (row in allowed), (name, action, row)


def test_the_rules_grant_what_the_readme_says(varied_world):
    from tracker.models import Membership, ProgressReport, SourceDocument, Target

    users = varied_world
    dept_targets = set(Target.objects.filter(rule(users["dept_reporter_a"], Action.REPORT, Target)))
    assert dept_targets
    assert all(t.lead_department.memberships.exists() for t in dept_targets)
    assert not restrict(ProgressReport.objects.all(), users["viewer_a"], Action.SEE).exists()
    assert not restrict(Membership.objects.all(), users["editor_c"], Action.EDIT).filter(
        region__isnull=False
    )
    # the document two towns use: read by either's staff, written by no single town's editor
    shared = SourceDocument.objects.filter(plans__isnull=False).distinct()
    shared = [doc for doc in shared if doc.plans.count() == 2].pop()
    assert may(users["editor_a"], Action.STAFF, shared)
    assert not may(users["editor_a"], Action.EDIT, shared)
    orphan = SourceDocument.objects.get(title="手工")
    assert may(users["editor_a"], Action.EDIT, orphan)
    assert not may(users["editor_c"], Action.STAFF, orphan)
