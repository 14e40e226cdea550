"""`manage.py create_reporter`: the documented way to issue a client its API token."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from tests import factories
from tracker.models import Membership

pytestmark = pytest.mark.django_db


def create_reporter(*args: str) -> str:
    out = StringIO()
    call_command("create_reporter", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_prints_a_token_that_reports_for_the_town():
    town = factories.TownFactory(slug="xiqiao")
    token = create_reporter("xiqiao-stats", "--town", "xiqiao")
    membership = Membership.objects.get(user__username="xiqiao-stats")
    assert (membership.town, membership.role) == (town, "reporter")
    assert not membership.user.has_usable_password()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/targets/").status_code == 200


def test_running_it_again_prints_the_same_token_and_adds_nothing():
    factories.TownFactory(slug="xiqiao")
    first = create_reporter("xiqiao-stats", "--town", "xiqiao")
    assert create_reporter("xiqiao-stats", "--town", "xiqiao") == first
    assert Membership.objects.count() == 1


def test_a_second_role_is_added_to_the_same_user():
    factories.TownFactory(slug="xiqiao")
    first = create_reporter("xiqiao-stats", "--town", "xiqiao")
    assert create_reporter("xiqiao-stats", "--town", "xiqiao", "--role", "editor") == first
    assert set(Membership.objects.values_list("role", flat=True)) == {"reporter", "editor"}


def test_a_region_user_is_a_viewer():
    factories.DistrictFactory(slug="nanhai")
    create_reporter("district-office", "--region", "nanhai")
    assert Membership.objects.get().role == "viewer"


def test_a_region_user_cannot_be_given_a_writing_role():
    factories.DistrictFactory(slug="nanhai")
    with pytest.raises(CommandError, match="viewers"):
        create_reporter("district-office", "--region", "nanhai", "--role", "editor")


def test_an_unknown_town_is_a_one_line_error():
    with pytest.raises(CommandError) as error:
        create_reporter("someone", "--town", "atlantis")
    assert str(error.value) == "no town with the slug 'atlantis'"


def test_town_or_region_is_required():
    with pytest.raises(CommandError):
        create_reporter("someone")
