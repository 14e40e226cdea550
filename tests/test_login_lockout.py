"""Failed sign-ins are counted per user and per address on every login form, then locked out.

Issue 15, finding 2: 40 wrong passwords each to /login/ and /admin/login/,
then the right one worked. The rules are in tracker/lockout.py.
"""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's

# Each login form: its URL, and how a sign-in is posted to it.
FORMS = {
    "site": ("/login/", "form"),
    "admin": ("/admin/login/", "form"),
    "api": ("/api/token/", "json"),
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # /api/token/ is also rate-limited per address, counted in the cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRACKER_LOGIN_ADDRESS_FAILURE_LIMIT = 6


@pytest.fixture
def staff_user(db):
    return factories.UserFactory(username="clerk", is_staff=True)


def sign_in(client, form, username, password, address="10.0.0.1"):
    url, kind = FORMS[form]
    data = {"username": username, "password": password}
    if kind == "json":
        return client.post(url, data, content_type="application/json", REMOTE_ADDR=address)
    return client.post(url, data, REMOTE_ADDR=address)


def signed_in(form, response) -> bool:
    if form == "api":
        return response.status_code == 200 and "token" in response.json()
    return response.status_code == 302  # redirected onwards, not the form again


@pytest.mark.parametrize("form", FORMS)
def test_a_user_is_locked_out_after_the_failure_limit_even_with_the_right_password(
    form, limits, staff_user
):
    client = Client()
    failures = [sign_in(client, form, "clerk", "wrong").status_code for _ in range(3)]
    assert 429 not in failures[:2]  # the third failure is answered as a lockout
    locked = sign_in(client, form, "clerk", PASSWORD)
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 30 * 60
    assert "locked" in locked.content.decode()
    # From another address too: the lock is the user's.
    assert sign_in(Client(), form, "clerk", PASSWORD, address="10.0.0.2").status_code == 429


@pytest.mark.parametrize("form", FORMS)
def test_an_address_trying_many_usernames_is_locked_out(form, limits, staff_user):
    client = Client()
    for n in range(6):  # two failures each for three names: no name reaches its limit
        sign_in(client, form, f"guess{n // 2}", "wrong")
    assert sign_in(client, form, "clerk", PASSWORD).status_code == 429
    # Elsewhere the user signs in.
    assert signed_in(form, sign_in(Client(), form, "clerk", PASSWORD, address="10.0.0.9"))


def test_fewer_failures_than_the_limit_do_not_lock(limits, staff_user):
    client = Client()
    for _ in range(2):
        sign_in(client, "site", "clerk", "wrong")
    assert signed_in("site", sign_in(client, "site", "clerk", PASSWORD))


def test_the_lockout_message_is_in_chinese_first(settings, limits, staff_user):
    settings.LANGUAGE_CODE = "zh-hans"
    client = Client()
    for _ in range(3):
        sign_in(client, "site", "clerk", "wrong")
    page = sign_in(client, "site", "clerk", PASSWORD)
    assert "登录失败次数过多" in page.content.decode()
    answer = sign_in(client, "api", "clerk", PASSWORD)
    assert "登录失败次数过多" in answer.json()["detail"]


def test_an_administrator_unlocks_a_user(limits, staff_user):
    client = Client()
    for _ in range(3):
        sign_in(client, "site", "clerk", "wrong")
    assert sign_in(client, "site", "clerk", PASSWORD).status_code == 429

    admin = Client()
    admin.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True))
    listed = admin.get("/admin/axes/accessattempt/")
    assert listed.status_code == 200
    assert "clerk" in listed.content.decode()

    call_command("axes_reset_username", "clerk")
    assert signed_in("site", sign_in(client, "site", "clerk", PASSWORD))


def test_no_password_is_kept_with_an_attempt(limits, staff_user):
    from axes.models import AccessAttempt

    sign_in(Client(), "site", "clerk", "my-secret-guess")
    attempt = AccessAttempt.objects.get(username="clerk")
    assert "my-secret-guess" not in attempt.post_data
