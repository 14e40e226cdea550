"""The admin's authorisation matrix, generated from `admin.site`'s registry.

Every registered ModelAdmin must have a row in MATRIX (a new screen without a
decided row fails `test_every_admin_screen_is_in_the_matrix`). Each row says
what kind of screen it is and how to find town A's and town B's row in the
world below:

- TOWN: a town's rows. Town A's staff (an editor, a reporter and a viewer of
  the district above it, all given every model permission there is) must not list town B's row, open it,
  change it, delete it (from its page or with "delete selected"), read its
  history, or be offered any of town B's rows as a choice when adding.
- SHARED: rows every town reads (the region tree): listed for all, written
  by superusers only.
- SUPERUSERS: accounts, groups, tokens: staff see nothing.

The Django permissions are all granted, so what is refused here is refused
by tracker.access, not by a missing checkbox.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from rest_framework.authtoken.models import Token, TokenProxy

from tests import factories
from tests.conftest import fresh, rolled_back
from tracker.access import ROUTES
from tracker.choices import PlanStatus, Role
from tracker.models import (
    Chase,
    Department,
    GoalSection,
    Membership,
    NotificationChannel,
    Plan,
    PlanImport,
    ProgressReport,
    ProgressUpdate,
    Region,
    ReportingPeriod,
    SectionCandidate,
    SourceDocument,
    Target,
    TargetCandidate,
    Town,
)
from tracker.services import progress_record
from tracker.workflow import periods_generate, report_save

pytestmark = pytest.mark.django_db
YEAR = 2024

TOWN, SHARED, SUPERUSERS = "town", "shared", "superusers"


@dataclass
class Side:
    """One town and everything in it."""

    town: Town
    department: Department
    document: SourceDocument
    plan: Plan
    section: GoalSection
    target: Target
    update: ProgressUpdate
    period: ReportingPeriod
    report: ProgressReport
    plan_import: PlanImport
    membership: Membership
    user: object  # its staff member's account (the editor's)
    channel: NotificationChannel
    chase: Chase


def build_side(name: str) -> Side:
    town = factories.TownFactory(name=f"{name}镇", slug=f"town-{name}")
    department = factories.DepartmentFactory(town=town)
    document = factories.SourceDocumentFactory(text=f"{name}镇工作计划全文。引进企业8家以上。")
    plan = factories.PlanFactory(town=town, year=YEAR, status=PlanStatus.DRAFT)
    plan.documents.add(document)
    section = factories.SectionFactory(plan=plan)
    target = factories.TargetFactory(section=section, lead_department=department)
    update = progress_record(target=target, as_of=factories.a_day_in(YEAR), value=Decimal("1"))
    period = periods_generate(plan=plan)[0]
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)
    report = report_save(user=superuser, target=target, period=period, value=Decimal("2"))
    plan_import = PlanImport.objects.create(source_document=document, town=town, year=YEAR)
    SectionCandidate.objects.create(plan_import=plan_import, position=1, title="一、聚焦")
    TargetCandidate.objects.create(plan_import=plan_import, position=1, title="引进企业")
    user = staff_user(f"{name}-editor")
    membership = Membership.objects.create(user=user, town=town, role=Role.EDITOR)
    Token.objects.create(user=user)
    channel = NotificationChannel.objects.create(town=town, name="邮件", kind="email")
    chase = Chase.objects.create(
        target=target, department=department, sent_by=superuser, reason="报告逾期"
    )
    return Side(
        town, department, document, plan, section, target, update, period, report,
        plan_import, membership, user, channel, chase,
    )  # fmt: skip


def staff_user(username: str):
    user = factories.UserFactory(username=username, is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    return user


@dataclass(frozen=True)
class Row:
    kind: str
    of: Callable[[Side], object] | None = None  # town's row; None for SUPERUSERS screens


MATRIX: dict[type, Row] = {
    Region: Row(SHARED, lambda side: side.town.region),
    Town: Row(TOWN, lambda side: side.town),
    Department: Row(TOWN, lambda side: side.department),
    SourceDocument: Row(TOWN, lambda side: side.document),
    Plan: Row(TOWN, lambda side: side.plan),
    GoalSection: Row(TOWN, lambda side: side.section),
    Target: Row(TOWN, lambda side: side.target),
    ProgressUpdate: Row(TOWN, lambda side: side.update),
    Membership: Row(TOWN, lambda side: side.membership),
    ReportingPeriod: Row(TOWN, lambda side: side.period),
    ProgressReport: Row(TOWN, lambda side: side.report),
    PlanImport: Row(TOWN, lambda side: side.plan_import),
    NotificationChannel: Row(TOWN, lambda side: side.channel),
    Chase: Row(TOWN, lambda side: side.chase),
    get_user_model(): Row(SUPERUSERS, lambda side: side.user),
    Group: Row(SUPERUSERS, lambda side: Group.objects.get_or_create(name="staff")[0]),
    TokenProxy: Row(SUPERUSERS, lambda side: TokenProxy.objects.get(user=side.user)),
    LogEntry: Row(SUPERUSERS, lambda side: log_entry(side)),
    AccessAttempt: Row(
        SUPERUSERS, lambda side: sign_in_record(AccessAttempt, side, failures_since_start=1)
    ),
    AccessLog: Row(SUPERUSERS, lambda side: sign_in_record(AccessLog, side)),
    AccessFailureLog: Row(SUPERUSERS, lambda side: sign_in_record(AccessFailureLog, side)),
}


def sign_in_record(model, side: Side, **fields):
    """A sign-in attempt of town B's user (django-axes), as the lockout screens list them."""
    return model.objects.create(
        username=side.user.username,
        ip_address="127.0.0.1",
        user_agent="test",
        path_info="/",
        **fields,
    )


def log_entry(side: Side) -> LogEntry:
    """An admin log line about town B's target (the log names rows of every town)."""
    return LogEntry.objects.create(
        user=side.user,
        content_type=ContentType.objects.get_for_model(Target),
        object_id=str(side.target.pk),
        object_repr=str(side.target),
        action_flag=CHANGE,
    )


SCREENS = sorted(MATRIX, key=lambda model: model._meta.label)


def test_every_admin_screen_is_in_the_matrix():
    missing = {model._meta.label for model in admin.site._registry} - {
        model._meta.label for model in MATRIX
    }
    assert not missing, f"admin screens without a row in MATRIX: {sorted(missing)}"
    assert {model._meta.label for model in MATRIX} <= {
        model._meta.label for model in admin.site._registry
    }


def test_every_town_screen_says_how_it_reaches_its_town():
    for model, row in MATRIX.items():
        if row.kind == TOWN:
            assert model in ROUTES, model


@pytest.fixture(scope="module")
def _shared_admin_world(django_db_setup, django_db_blocker):
    """Built once for the module, in a transaction rolled back after it (tests/conftest.py)."""
    with rolled_back(django_db_blocker):
        yield build_world()


@pytest.fixture
def world(_shared_admin_world, db):
    """Towns 甲 and 乙 and the actors; this test's own copies of the objects."""
    return fresh(_shared_admin_world)


def build_world():
    a, b = build_side("甲"), build_side("乙")
    reporter = staff_user("甲-reporter")
    Membership.objects.create(user=reporter, town=a.town, role=Role.REPORTER)
    region_viewer = staff_user("甲-district")
    Membership.objects.create(user=region_viewer, region=a.town.region, role=Role.VIEWER)
    return a, b, {"editor": a.user, "reporter": reporter, "region_viewer": region_viewer}


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def still_there(obj) -> bool:
    key = getattr(obj, obj._meta.pk.attname)
    return type(obj)._default_manager.filter(**{obj._meta.pk.attname: key}).exists()


def snapshot(obj) -> dict:
    return {
        f.attname: getattr(type(obj)._default_manager.get(pk=obj.pk), f.attname)
        for f in obj._meta.concrete_fields
    }


def refused(response) -> bool:
    """The admin's answers to a row that is not there for this user, or not theirs to touch."""
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response["Location"].rstrip("/").endswith("/admin")


@pytest.mark.parametrize("actor", ["editor", "reporter", "region_viewer"])
@pytest.mark.parametrize("model", SCREENS, ids=lambda model: model._meta.label)
def test_town_a_staff_cannot_reach_town_b_rows(client, world, actor, model):
    a, b, actors = world
    row = MATRIX[model]
    client.force_login(actors[actor])
    model_admin = admin.site._registry[model]

    if row.kind == SUPERUSERS:
        theirs = row.of(b)
        assert client.get(url(model, "changelist")).status_code == 403
        assert client.get(url(model, "add")).status_code == 403
        assert refused(client.get(url(model, "change", theirs.pk)))
        assert refused(client.post(url(model, "delete", theirs.pk), {"post": "yes"}))
        assert still_there(theirs)
        return

    theirs, mine = row.of(b), row.of(a)
    before = snapshot(theirs)
    listing = client.get(url(model, "changelist"))
    assert listing.status_code == 200
    listed = set(listing.context["cl"].queryset)

    if row.kind == SHARED:
        assert {mine, theirs} <= listed  # everyone reads the region tree
        assert client.get(url(model, "add")).status_code == 403
        page = client.get(url(model, "change", theirs.pk))
        assert page.status_code == 200
        assert not page.context["has_change_permission"]
        assert client.post(url(model, "delete", theirs.pk), {"post": "yes"}).status_code == 403
        assert snapshot(theirs) == before
        return

    # list
    assert theirs not in listed
    if model_admin.has_view_permission(listing.wsgi_request):
        assert mine in listed or model is ProgressReport  # a reporter sees only reportable rows
    # view, change, history
    assert refused(client.get(url(model, "change", theirs.pk)))
    assert refused(client.post(url(model, "change", theirs.pk), {}))
    if hasattr(model_admin, "history_view"):
        assert refused(client.get(url(model, "history", theirs.pk)))
    # delete, from the page and as an action
    assert refused(client.get(url(model, "delete", theirs.pk)))
    assert refused(client.post(url(model, "delete", theirs.pk), {"post": "yes"}))
    client.post(
        url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [theirs.pk], "post": "yes"},
    )
    assert still_there(theirs)
    assert snapshot(theirs) == before
    # add: no choice on the form reaches into town B
    adding = client.get(url(model, "add"))
    if adding.status_code == 200:
        context = adding.context
        forms = (
            [context["adminform"].form]
            + [form for inline in context["inline_admin_formsets"] for form in inline.formset]
            if "adminform" in context
            else [context["form"]]  # an upload page of its own
        )
        for form in forms:
            for name, field in form.fields.items():
                choices = getattr(field, "queryset", None)
                if choices is None or choices.model not in ROUTES or choices.model is Region:
                    continue
                b_rows = [row for row in choices if b_owns(row, b)]
                assert not b_rows, f"{model.__name__}.{name} offers town B's {b_rows}"
    else:
        assert adding.status_code in (302, 403)


def b_owns(row, b: Side) -> bool:
    """Whether a row belongs to town B (its own or through the paths access.ROUTES gives)."""
    from tracker.access import Action, scope_for

    return scope_for(b.user).may(Action.STAFF, row) and not isinstance(row, Region)


# --- issue 15, finding 3: the holes this matrix closes ------------------------------------


def test_staff_cannot_grant_themselves_a_role_in_another_town(client, world):
    a, b, actors = world
    editor = actors["editor"]
    client.force_login(editor)
    response = client.post(
        url(Membership, "add"), {"user": editor.pk, "town": b.town.pk, "role": Role.EDITOR}
    )
    assert response.status_code == 200  # the form again, with its error
    assert "town" in response.context["adminform"].form.errors
    assert not Membership.objects.filter(user=editor, town=b.town).exists()
    # nor by moving their own membership
    client.post(
        url(Membership, "change", a.membership.pk),
        {"user": editor.pk, "town": b.town.pk, "role": Role.EDITOR},
    )
    assert Membership.objects.get(pk=a.membership.pk).town == a.town
    # nor a region's, which would read every town below it
    client.post(
        url(Membership, "add"),
        {"user": editor.pk, "region": b.town.region.pk, "role": Role.VIEWER},
    )
    assert not Membership.objects.filter(user=editor, region__isnull=False).exists()


def test_an_editor_manages_the_roles_of_their_own_town(client, world):
    a, b, actors = world
    client.force_login(actors["editor"])
    response = client.post(
        url(Membership, "add"),
        {"user": actors["reporter"].pk, "town": a.town.pk, "role": Role.REVIEWER},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(
        user=actors["reporter"], town=a.town, role=Role.REVIEWER
    ).exists()
    # but cannot pick a user who belongs to none of their towns
    form = client.get(url(Membership, "add")).context["adminform"].form
    assert b.user not in form.fields["user"].queryset


def test_a_reporter_cannot_grant_roles_even_in_their_own_town(client, world):
    a, b, actors = world
    client.force_login(actors["reporter"])
    client.post(
        url(Membership, "add"),
        {"user": actors["reporter"].pk, "town": a.town.pk, "role": Role.EDITOR},
    )
    assert not Membership.objects.filter(user=actors["reporter"], role=Role.EDITOR).exists()


def test_another_towns_source_document_is_neither_read_nor_changed(client, world):
    a, b, actors = world
    client.force_login(actors["editor"])
    listed = set(client.get(url(SourceDocument, "changelist")).context["cl"].queryset)
    assert listed == {a.document}
    assert refused(client.get(url(SourceDocument, "change", b.document.pk)))
    client.post(url(SourceDocument, "change", b.document.pk), {"title": "改", "text": "改写的全文"})
    assert SourceDocument.objects.get(pk=b.document.pk).text == b.document.text


def test_a_document_two_towns_use_is_changed_only_by_who_edits_both(client, world):
    a, b, actors = world
    b.plan.documents.add(a.document)
    client.force_login(actors["editor"])
    page = client.get(url(SourceDocument, "change", a.document.pk))
    assert page.status_code == 200  # town A uses it: its staff read it
    assert not page.context["has_change_permission"]


def test_a_document_added_by_hand_belongs_to_who_added_it(client, world):
    a, b, actors = world
    client.force_login(actors["editor"])
    response = client.post(url(SourceDocument, "add"), {"title": "新文件", "text": "新文件全文"})
    assert response.status_code == 302
    document = SourceDocument.objects.get(title="新文件")
    assert document.created_by == actors["editor"]
    assert document in client.get(url(SourceDocument, "changelist")).context["cl"].queryset
    client.force_login(b.user)
    assert document not in client.get(url(SourceDocument, "changelist")).context["cl"].queryset


def test_period_generation_from_the_periods_screen_needs_an_editor(client, world):
    a, b, actors = world
    plan = factories.PlanFactory(town=a.town, year=YEAR + 1)
    period = ReportingPeriod.objects.create(
        plan=plan, label="一季度", starts_on="2025-01-01", ends_on="2025-03-31",
        due_on="2025-04-05",
    )  # fmt: skip
    client.force_login(actors["reporter"])
    client.post(
        url(ReportingPeriod, "changelist"),
        {"action": "generate_quarterly", "_selected_action": [period.pk]},
    )
    assert plan.periods.count() == 1
    client.force_login(actors["editor"])
    client.post(
        url(ReportingPeriod, "changelist"),
        {"action": "generate_quarterly", "_selected_action": [period.pk]},
    )
    assert plan.periods.count() == 4


def test_staff_cannot_make_themselves_superusers(client, world):
    a, b, actors = world
    editor = actors["editor"]
    client.force_login(editor)
    response = client.post(
        url(get_user_model(), "change", editor.pk),
        {"username": editor.username, "is_superuser": "on", "is_staff": "on", "is_active": "on"},
    )
    assert refused(response)
    editor.refresh_from_db()
    assert not editor.is_superuser


@pytest.mark.parametrize("actor", ["reporter", "region_viewer"])
def test_only_a_towns_editors_delete_its_rows_even_with_delete_selected(client, world, actor):
    a, b, actors = world
    client.force_login(actors[actor])
    department = factories.DepartmentFactory(town=a.town)
    response = client.post(
        url(Department, "changelist"),
        {"action": "delete_selected", "_selected_action": [department.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert Department.objects.filter(pk=department.pk).exists()
    client.force_login(actors["editor"])
    client.post(
        url(Department, "changelist"),
        {"action": "delete_selected", "_selected_action": [department.pk], "post": "yes"},
    )
    assert not Department.objects.filter(pk=department.pk).exists()
