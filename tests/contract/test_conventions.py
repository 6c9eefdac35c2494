"""Conventions every front end relies on: auth errors it can branch on, empty 204s."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from tests.builders import AuthHeaders, login, make_user


async def test_an_expired_access_token_answers_token_expired(client: AsyncClient) -> None:
    user = await make_user()
    tokens = await login(client, user.email)
    clock.travel(timedelta(hours=2))

    expired = await client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    garbage = await client.get("/api/v1/auth/me", headers={"Authorization": "Bearer a.b.c"})

    assert expired.status_code == 401
    assert expired.json()["code"] == "token_expired"
    assert expired.headers["WWW-Authenticate"] == "Bearer"
    assert garbage.json()["code"] == "invalid_token"


async def test_an_expired_token_on_a_public_route_also_answers_token_expired(
    client: AsyncClient,
) -> None:
    user = await make_user()
    tokens = await login(client, user.email)
    clock.travel(timedelta(hours=2))

    response = await client.get(
        "/api/v1/services", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )

    assert response.json()["code"] == "token_expired"


async def test_a_204_carries_no_body_and_no_content_type(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    headers = await auth_headers(Role.manager)
    closure = await client.post(
        "/api/v1/availability/closures",
        json={"start_date": "2027-12-24", "end_date": "2027-12-26"},
        headers=headers,
    )

    deleted = await client.delete(
        f"/api/v1/availability/closures/{closure.json()['id']}", headers=headers
    )

    assert deleted.status_code == 204
    assert deleted.content == b""
    assert "content-type" not in deleted.headers
    assert "content-length" not in deleted.headers or deleted.headers["content-length"] == "0"
