"""Password-for-token attempts per address: 429 with Retry-After, failures counted in every cache.

Apart from tests/api/test_throttling.py because these run with no transaction
around them: /api/token/ has none of its own (it keeps failed sign-ins,
tracker/lockout.py), so its 429 would mark an enclosing one, such as the
module-wide transaction the API's shared world lives in.
"""

import pytest
from django.core.cache import caches
from django.core.management import call_command
from rest_framework.test import APIClient

from planning.settings import cache_from_url
from tests import factories
from tests.api.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"write": "1000/minute", "token": "1000/minute", **rates},
        }

    settings.AXES_FAILURE_LIMIT = 100  # the lockout is tested in tests/test_login_lockout.py
    return set_rates


# Issue 15, finding 1: with ATOMIC_REQUESTS and the README's db:// cache, an
# error answer rolled back the throttle's count with the request.
@pytest.fixture(params=["locmem://", "db://"])
def cache_url(request, settings):
    settings.CACHES = {"default": cache_from_url(request.param)}
    assert settings.DATABASES["default"]["ATOMIC_REQUESTS"]
    if request.param == "db://":
        call_command("createcachetable", verbosity=0)
    caches["default"].clear()
    yield request.param
    caches["default"].clear()


@pytest.fixture
def reporter(transactional_db):
    return factories.UserFactory(username="reporter_a")


def test_password_guessing_for_a_token_is_slowed_down(reporter, rates, cache_url):
    rates(token="3/minute")
    client = APIClient()
    wrong = {"username": "reporter_a", "password": "guess"}
    codes = [client.post("/api/token/", wrong).status_code for _ in range(3)]
    right = client.post("/api/token/", {"username": "reporter_a", "password": PASSWORD})
    assert codes == [400, 400, 400]
    assert right.status_code == 429
    assert "Retry-After" in right


def test_failed_password_attempts_are_counted_in_every_cache(reporter, rates, cache_url):
    rates(token="5/minute")
    client = APIClient()
    wrong = {"username": "reporter_a", "password": "guess"}
    codes = [client.post("/api/token/", wrong).status_code for _ in range(6)]
    assert codes == [400] * 5 + [429]
