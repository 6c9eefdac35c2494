"""Conventions every front end relies on: auth errors it can branch on, empty 204s."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from tests.bookings.salon import book_by_staff, facial_with_camille, paris
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


async def test_in_person_amount_and_tip_are_apart_in_the_request_and_the_answer(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    clock.pin(paris(2027, 3, 15, 8))
    desk = await auth_headers(Role.receptionist)
    facial, _ = await facial_with_camille()
    booking = await book_by_staff(client, desk, [facial], "2027-03-22T09:00:00+01:00")

    taken = await client.post(
        "/api/v1/payments/in-person",
        json={
            "booking_id": booking["id"],
            "method": "cash",
            "amount_cents": 3000,
            "tip_cents": 500,
        },
        headers=desk,
    )
    listed = await client.get("/api/v1/payments", headers=desk)

    assert taken.status_code == 201, taken.text
    assert (taken.json()["amount_cents"], taken.json()["tip_cents"]) == (3000, 500)
    assert taken.json()["total_cents"] == 3500
    [row] = [p for p in listed.json()["items"] if p["id"] == taken.json()["id"]]
    assert (row["amount_cents"], row["tip_cents"], row["total_cents"]) == (3000, 500, 3500)
