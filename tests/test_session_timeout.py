"""Sessions end after idle time and after their lifetime (issue 15, finding 8; tracker/sessions.py)."""

import time

import pytest
from django.test import Client

from tests import factories
from tracker.sessions import LAST_SEEN_AT, SIGNED_IN_AT

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(db):
    client = Client()
    client.force_login(factories.UserFactory(username="clerk"))
    assert client.get("/tasks/").status_code == 200  # starts the session's clocks
    return client


def set_clocks(client, **seconds_ago):
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_the_defaults_are_30_minutes_idle_and_8_hours_at_most(settings):
    assert settings.TRACKER_SESSION_IDLE_MINUTES == 30
    assert settings.TRACKER_SESSION_MAX_HOURS == 8
    assert settings.SESSION_COOKIE_AGE == 8 * 3600


def test_a_session_in_use_stays_signed_in(signed_in):
    set_clocks(signed_in, **{LAST_SEEN_AT: 29 * 60, SIGNED_IN_AT: 7 * 3600})
    assert signed_in.get("/tasks/").status_code == 200


def test_an_idle_session_is_signed_out(signed_in):
    set_clocks(signed_in, **{LAST_SEEN_AT: 31 * 60})
    response = signed_in.get("/tasks/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_session_past_its_lifetime_is_signed_out_however_active(signed_in):
    set_clocks(signed_in, **{LAST_SEEN_AT: 10, SIGNED_IN_AT: 8 * 3600 + 60})
    assert signed_in.get("/tasks/").status_code == 302


def test_the_admin_signs_out_an_idle_session_too(db):
    client = Client()
    client.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200
    set_clocks(client, **{LAST_SEEN_AT: 31 * 60})
    assert client.get("/admin/").status_code == 302


def test_the_idle_timeout_is_a_setting(signed_in, settings):
    settings.TRACKER_SESSION_IDLE_MINUTES = 5
    set_clocks(signed_in, **{LAST_SEEN_AT: 6 * 60})
    assert signed_in.get("/tasks/").status_code == 302
