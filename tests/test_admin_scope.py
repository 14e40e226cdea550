"""The admin is scoped like the API: a town's staff see and change only their town's rows."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tracker.choices import Role
from tracker.models import Department, GoalSection, Plan, ProgressUpdate, Target, Town
from tracker.services import progress_record

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def town_with_everything():
    plan = factories.PlanFactory(year=YEAR)
    target = factories.TargetFactory(section=factories.SectionFactory(plan=plan))
    factories.DepartmentFactory(town=plan.town)
    progress_record(target=target, as_of=timezone.localdate(), value=Decimal("1"))
    return plan.town


def town_staff(town: Town, role: str):
    user = factories.UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="tracker"))
    user.memberships.create(town=town, role=role)
    return user


@pytest.fixture
def towns():
    return town_with_everything(), town_with_everything()


MODELS = {
    "town": (Town, lambda town: town),
    "department": (Department, lambda town: town.departments.get()),
    "plan": (Plan, lambda town: town.plans.get()),
    "goalsection": (GoalSection, lambda town: GoalSection.objects.get(plan__town=town)),
    "target": (Target, lambda town: Target.objects.get(plan__town=town)),
    "progressupdate": (
        ProgressUpdate,
        lambda town: ProgressUpdate.objects.get(target__plan__town=town),
    ),
}


@pytest.mark.parametrize("model_name", MODELS)
def test_staff_list_only_their_towns_rows(client, towns, model_name):
    mine, theirs = towns
    client.force_login(town_staff(mine, Role.EDITOR))
    response = client.get(reverse(f"admin:tracker_{model_name}_changelist"))
    assert response.status_code == 200
    shown = set(response.context["cl"].result_list)
    model, own = MODELS[model_name]
    assert shown == {own(mine)}


@pytest.mark.parametrize("model_name", MODELS)
def test_another_towns_row_cannot_be_opened(client, towns, model_name):
    mine, theirs = towns
    client.force_login(town_staff(mine, Role.EDITOR))
    _, own = MODELS[model_name]
    response = client.get(reverse(f"admin:tracker_{model_name}_change", args=[own(theirs).pk]))
    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert reverse("admin:index") in response["Location"]


def test_foreign_key_choices_are_scoped(client, towns):
    mine, theirs = towns
    client.force_login(town_staff(mine, Role.EDITOR))
    response = client.get(reverse("admin:tracker_target_add"))
    plan_choices = set(response.context["adminform"].form.fields["plan"].queryset)
    assert plan_choices == {mine.plans.get()}


def test_autocomplete_is_scoped(client, towns):
    mine, theirs = towns
    client.force_login(town_staff(mine, Role.EDITOR))
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "tracker", "model_name": "target", "field_name": "plan", "term": ""},
    )
    ids = {int(item["id"]) for item in response.json()["results"]}
    assert ids == {mine.plans.get().pk}


def test_reporter_may_add_progress_but_not_change_the_target(client, towns):
    mine, _ = towns
    client.force_login(town_staff(mine, Role.REPORTER))
    target = Target.objects.get(plan__town=mine)
    response = client.get(reverse("admin:tracker_target_change", args=[target.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "title" not in form.fields  # shown read-only
    assert b"updates-0-as_of" in response.content
