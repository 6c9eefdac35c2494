"""Signed and stored links through HTTP: calendar feeds that can be revoked and rotated, manage
links that die with the booking, and tokens refused for another purpose."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.core.outbox import dispatch_due
from app.core.security import token_digest
from tests.bookings.salon import make_practitioner, make_service, open_salon, paris
from tests.builders import AuthHeaders, login, make_user

NINE = "2027-03-22T09:00:00+01:00"
CLIENT = {"first_name": "Hélène", "last_name": "Dupont", "email": "helene@example.fr"}


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


async def _salon_with_camille(user_id: UUID | None = None) -> tuple[UUID, UUID]:
    await open_salon()
    facial = await make_service("Soin éclat", minutes=60)
    camille = await make_practitioner("Camille", [facial], user_id=user_id)
    return facial, camille


async def _book(client: AsyncClient, facial: UUID, start: str = NINE) -> Any:
    response = await client.post(
        "/api/v1/bookings",
        json={"service_ids": [str(facial)], "start": start, "client": CLIENT},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _feed_url(client: AsyncClient, practitioner: UUID, headers: dict[str, str]) -> str:
    response = await client.get(
        f"/api/v1/practitioners/{practitioner}/calendar-feed", headers=headers
    )
    assert response.status_code == 200, response.text
    url: str = response.json()["url"]
    return url


async def _get(client: AsyncClient, url: str) -> Any:
    parsed = urlparse(url)
    return await client.get(f"{parsed.path}?{parsed.query}")


async def test_a_deactivated_practitioners_feed_answers_403(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    facial, camille = await _salon_with_camille()
    await _book(client, facial)
    manager = await auth_headers(Role.manager)
    url = await _feed_url(client, camille, manager)
    assert (await _get(client, url)).status_code == 200

    # She still has a booking: retiring her is forced, and the booking listed for reassignment.
    retired = await client.delete(
        f"/api/v1/practitioners/{camille}", params={"force": "true"}, headers=manager
    )
    feed = await _get(client, url)

    assert retired.status_code == 200, retired.text
    assert feed.status_code == 403
    assert feed.json()["code"] == "calendar_feed_revoked"
    assert "Hélène" not in feed.text


async def test_the_feed_stays_dead_when_she_comes_back(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    _, camille = await _salon_with_camille()
    manager = await auth_headers(Role.manager)
    old = await _feed_url(client, camille, manager)
    await client.patch(
        f"/api/v1/practitioners/{camille}", json={"is_active": False}, headers=manager
    )
    while await dispatch_due():
        pass

    back = await client.patch(
        f"/api/v1/practitioners/{camille}", json={"is_active": True}, headers=manager
    )
    after = await _get(client, old)
    new = await _feed_url(client, camille, manager)

    assert back.status_code == 200
    assert after.status_code == 403
    assert after.json()["code"] == "calendar_feed_revoked"
    assert new != old
    assert (await _get(client, new)).status_code == 200


async def test_a_deactivated_staff_accounts_feed_answers_403(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    user = await make_user(role=Role.practitioner)
    facial, camille = await _salon_with_camille(user.id)
    await _book(client, facial)
    tokens = await login(client, user.email)
    url = await _feed_url(client, camille, {"Authorization": f"Bearer {tokens['access_token']}"})
    assert (await _get(client, url)).status_code == 200

    deactivated = await client.patch(
        f"/api/v1/users/{user.id}",
        json={"is_active": False},
        headers=await auth_headers(Role.manager),
    )
    feed = await _get(client, url)

    assert deactivated.status_code == 200, deactivated.text
    assert feed.status_code == 403
    assert feed.json()["code"] == "calendar_feed_revoked"


async def test_a_rotated_feed_token_kills_the_old_url(
    client: AsyncClient, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    facial, camille = await _salon_with_camille()
    await _book(client, facial)
    manager = await auth_headers(Role.manager)
    old = await _feed_url(client, camille, manager)

    rotated = await client.post(
        f"/api/v1/practitioners/{camille}/calendar-feed/rotate", headers=manager
    )
    new = rotated.json()["url"]
    old_feed = await _get(client, old)
    new_feed = await _get(client, new)

    assert rotated.status_code == 200, rotated.text
    assert new.startswith(f"http://testserver/api/v1/calendar/feeds/{camille}.ics?token=")
    assert old_feed.status_code == 403
    assert old_feed.json()["code"] == "invalid_calendar_feed"
    assert new_feed.status_code == 200
    assert "SUMMARY:Soin éclat - Hélène" in new_feed.text
    # Only a digest is stored: the database never holds a working feed token.
    token = new.split("token=")[1]
    stored = (await session.execute(text("SELECT token_hash FROM calendar_feed_tokens"))).all()
    assert stored == [(token_digest(token),)]


async def test_the_link_is_shown_once_then_only_rotation_gives_a_new_one(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    _, camille = await _salon_with_camille()
    manager = await auth_headers(Role.manager)
    first = await _feed_url(client, camille, manager)

    again = await client.get(f"/api/v1/practitioners/{camille}/calendar-feed", headers=manager)

    assert again.status_code == 200
    assert again.json()["url"] is None
    assert again.json()["issued_at"]
    assert (await _get(client, first)).status_code == 200


async def test_only_she_or_a_manager_may_rotate_her_feed(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    user = await make_user(role=Role.practitioner)
    facial, camille = await _salon_with_camille(user.id)
    other = await make_practitioner("Lina", [facial])
    tokens = await login(client, user.email)
    herself = {"Authorization": f"Bearer {tokens['access_token']}"}

    own = await client.post(
        f"/api/v1/practitioners/{camille}/calendar-feed/rotate", headers=herself
    )
    foreign = await client.post(
        f"/api/v1/practitioners/{other}/calendar-feed/rotate", headers=herself
    )
    desk = await client.post(
        f"/api/v1/practitioners/{other}/calendar-feed/rotate",
        headers=await auth_headers(Role.receptionist),
    )
    anonymous = await client.post(f"/api/v1/practitioners/{camille}/calendar-feed/rotate")

    assert own.status_code == 200
    assert foreign.status_code == desk.status_code == 403
    assert anonymous.status_code == 401


async def test_a_manage_link_is_refused_after_the_bookings_end(client: AsyncClient) -> None:
    facial, _ = await _salon_with_camille()
    token = (await _book(client, facial))["manage_token"]  # 9:00 to 10:00

    clock.pin(paris(2027, 3, 22, 9, 59))
    during = await client.get(f"/api/v1/bookings/manage/{token}")
    clock.pin(paris(2027, 3, 22, 10, 1))
    after = await client.get(f"/api/v1/bookings/manage/{token}")

    assert during.status_code == 200
    assert after.status_code == 403
    assert after.json()["code"] == "invalid_manage_link"


async def test_a_link_kept_from_before_a_move_to_an_earlier_day_dies_with_the_new_end(
    client: AsyncClient,
) -> None:
    facial, _ = await _salon_with_camille()
    booking = await _book(client, facial, start="2027-03-24T09:00:00+01:00")
    token = booking["manage_token"]
    moved = await client.post(f"/api/v1/bookings/manage/{token}/reschedule", json={"start": NINE})
    assert moved.status_code == 200, moved.text

    clock.pin(paris(2027, 3, 23, 8))
    after = await client.get(f"/api/v1/bookings/manage/{token}")

    assert after.status_code == 403
    assert after.json()["code"] == "invalid_manage_link"


async def test_a_token_signed_for_one_purpose_is_refused_for_another(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    facial, camille = await _salon_with_camille()
    manage = (await _book(client, facial))["manage_token"]
    feed = (await _feed_url(client, camille, await auth_headers(Role.manager))).split("token=")[1]

    as_feed = await client.get(f"/api/v1/calendar/feeds/{camille}.ics", params={"token": manage})
    as_unsubscribe = await client.post(
        "/api/v1/notifications/unsubscribe", params={"token": manage}
    )
    as_manage = await client.get(f"/api/v1/bookings/manage/{feed}")

    assert as_feed.status_code == 403
    assert as_feed.json()["code"] == "invalid_calendar_feed"
    assert as_unsubscribe.json()["code"] == "invalid_unsubscribe_link"
    assert as_manage.status_code == 403
    assert as_manage.json()["code"] == "invalid_manage_link"
