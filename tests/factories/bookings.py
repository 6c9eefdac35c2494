"""Bookings through the API: a salon ready to book, a booking made by staff, one held online
by a client, and its status as the client sees it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from httpx import AsyncClient

from tests.factories.availability import open_salon
from tests.factories.catalog import make_service
from tests.factories.clients import make_client
from tests.factories.practitioners import make_practitioner

NINE = "2027-03-22T09:00:00+01:00"
ELEVEN = "2027-03-22T11:00:00+01:00"
CLIENT = {
    "first_name": "Hélène",
    "last_name": "Dupont",
    "email": "helene@example.fr",
    "phone": "06 12 34 56 78",
}


async def facial_with_camille(price_cents: int = 6000) -> tuple[UUID, UUID]:
    """An open salon, a one-hour facial and Camille who does it: (service, practitioner)."""
    await open_salon()
    facial = await make_service("Soin visage", minutes=60, price_cents=price_cents)
    return facial, await make_practitioner("Camille", [facial])


async def book_by_staff(
    http: AsyncClient,
    headers: dict[str, str],
    service_ids: list[UUID],
    start: str,
    client_id: UUID | None = None,
) -> dict[str, Any]:
    """A booking made by staff (confirmed at once) for `client_id`, or a new client."""
    response = await http.post(
        "/api/v1/bookings",
        json={
            "service_ids": [str(s) for s in service_ids],
            "start": start,
            "client_id": str(client_id or await make_client()),
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def hold(
    client: AsyncClient, service: UUID, start: str = NINE, who: dict[str, str] | None = None
) -> dict[str, Any]:
    """A booking held online by a guest (`who`, or Hélène) for one service."""
    response = await client.post(
        "/api/v1/bookings",
        json={"service_ids": [str(service)], "start": start, "client": who or CLIENT},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def service_of(booking: dict[str, Any]) -> UUID:
    return UUID(booking["items"][0]["service_id"])


async def booking_status(client: AsyncClient, booking: dict[str, Any]) -> str:
    response = await client.get(f"/api/v1/bookings/manage/{booking['manage_token']}")
    return str(response.json()["status"])
