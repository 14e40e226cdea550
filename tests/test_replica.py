"""Read replicas (tracker/routing.py): reads from the replica, writes and read-after-write from the primary.

A second database on the same PostgreSQL server stands in for the replica:
run with DATABASE_REPLICA_URLS=postgres://postgres@127.0.0.1:5432/pt_perf_replica
(pytest-django makes test_pt_perf_replica). Nothing copies the primary's rows
to it, so a row written only to one of them shows which one a request read.
"""

import pytest
from django.conf import settings
from django.test import Client

from tests import factories
from tests.conftest import on_postgresql
from tracker.models import Region
from tracker.routing import ReplicaRouter

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not on_postgresql() or "replica_1" not in settings.DATABASES,
        reason="needs PostgreSQL and DATABASE_REPLICA_URLS",
    ),
    pytest.mark.django_db(databases=["default", "replica_1"]),
]


def region_slugs(client: Client) -> set[str]:
    response = client.get("/api/regions/?page_size=100")
    assert response.status_code == 200
    return {region["slug"] for region in response.json()["results"]}


@pytest.fixture
def two_databases():
    Region.objects.using("default").create(slug="on-primary", name="主库", level="province")
    Region.objects.using("replica_1").create(slug="on-replica", name="从库", level="province")


def test_reads_go_to_the_replica(two_databases):
    assert region_slugs(Client()) == {"on-replica"}


def test_writes_go_to_the_primary(two_databases):
    router = ReplicaRouter()
    assert router.db_for_write(Region) == "default"
    created = Region.objects.create(slug="written", name="新", level="province")
    assert created._state.db == "default"
    assert Region.objects.using("default").filter(slug="written").exists()
    assert not Region.objects.using("replica_1").filter(slug="written").exists()


def test_a_client_reads_its_own_writes_from_the_primary(two_databases):
    writer, other = Client(), Client()
    writer.force_login(factories.UserFactory())
    other.force_login(factories.UserFactory())
    assert region_slugs(writer) == {"on-replica"}
    # Any write (here: choosing a language) pins its client to the primary for a few seconds.
    assert writer.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    assert region_slugs(writer) == {"on-primary"}
    assert region_slugs(other) == {"on-replica"}  # others still read the replica


def test_a_token_client_reads_its_own_writes_from_the_primary(two_databases):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=factories.UserFactory())
    writer = Client(HTTP_AUTHORIZATION=f"Token {token.key}")  # tokens: from the primary
    assert region_slugs(writer) == {"on-replica"}
    writer.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert region_slugs(writer) == {"on-primary"}
    assert region_slugs(Client()) == {"on-replica"}
