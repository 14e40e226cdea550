"""Rate limits: writes per user, password-for-token attempts per address; 429 with Retry-After."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from planning.settings import cache_from_url
from tests.api.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"write": "1000/minute", "token": "1000/minute", **rates},
        }

    return set_rates


def test_too_many_writes_get_429_with_retry_after(world, as_reporter_a, rates):
    rates(write="2/minute")
    body = {"target": world.target_a.pk, "as_of": "2024-09-30", "value": "2100"}
    codes = [as_reporter_a.post("/api/progress-updates/", body).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    refused = as_reporter_a.post("/api/progress-updates/", body)
    assert 0 < int(refused["Retry-After"]) <= 60
    assert world.target_a.updates.count() == 3  # the world's and the two allowed


def test_each_user_has_their_own_write_allowance(world, rates):
    rates(write="1/minute")
    body = {"target": world.target_a.pk, "as_of": "2024-09-30", "value": "2100"}
    assert world.client("reporter_a").post("/api/progress-updates/", body).status_code == 201
    assert world.client("editor_a").post("/api/progress-updates/", body).status_code == 201


def test_reads_are_not_limited_by_the_write_rate(world, as_reporter_a, rates):
    rates(write="1/minute")
    codes = {as_reporter_a.get("/api/targets/").status_code for _ in range(5)}
    assert codes == {200}


def test_password_guessing_for_a_token_is_slowed_down(world, rates):
    rates(token="3/minute")
    client = world.client("anonymous")
    wrong = {"username": "reporter_a", "password": "guess"}
    codes = [client.post("/api/token/", wrong).status_code for _ in range(3)]
    right = client.post("/api/token/", {"username": "reporter_a", "password": PASSWORD})
    assert codes == [400, 400, 400]
    assert right.status_code == 429
    assert "Retry-After" in right


def test_a_token_is_issued_for_a_username_and_password(world):
    response = world.client("anonymous").post(
        "/api/token/", {"username": "reporter_a", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert len(response.json()["token"]) == 40


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("locmem://", "django.core.cache.backends.locmem.LocMemCache"),
        ("db://", "django.core.cache.backends.db.DatabaseCache"),
        ("redis://cache:6379/1", "django.core.cache.backends.redis.RedisCache"),
    ],
)
def test_the_cache_is_chosen_by_url(url, backend):
    assert cache_from_url(url)["BACKEND"] == backend


def test_a_database_cache_table_may_be_named():
    assert cache_from_url("db://api_counts")["LOCATION"] == "api_counts"


def test_an_unknown_cache_scheme_names_the_variable():
    with pytest.raises(ImproperlyConfigured, match="DJANGO_CACHE_URL"):
        cache_from_url("memcached://localhost")
