"""API tokens: `Authorization: Token <key>` and `Authorization: Bearer <key>` name the same user."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def client_with(header: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    return client


def progress(world) -> dict:
    return {"target": world.target_a.pk, "as_of": "2024-09-30", "value": "2100"}


@pytest.mark.parametrize("prefix", ["Token", "Bearer", "bearer"])
def test_either_prefix_writes_as_the_token_s_user(world, prefix):
    key = Token.objects.get_or_create(user=world.users["reporter_a"])[0].key
    response = client_with(f"{prefix} {key}").post(
        "/api/progress-updates/", progress(world), format="json"
    )
    assert response.status_code == 201
    assert response.json()["reported_by"] == "reporter_a"


def test_a_bearer_token_reads_what_its_user_reads(world):
    # Town A's plan is a draft: only its own users see its targets.
    key = Token.objects.get_or_create(user=world.users["reporter_a"])[0].key
    ids = {row["id"] for row in client_with(f"Bearer {key}").get("/api/targets/").json()["results"]}
    assert world.target_a.pk in ids


@pytest.mark.parametrize("header", ["Bearer wrong-key", "Bearer", "Bearer a b"])
def test_a_bad_bearer_token_is_a_401_not_an_anonymous_read(world, header):
    response = client_with(header).get("/api/targets/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
