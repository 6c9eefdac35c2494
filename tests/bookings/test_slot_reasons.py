"""`slot_unavailable` says why (issue 12, defect 22), and staff may record a past walk-in."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from tests.bookings.salon import (
    add_closure,
    make_client,
    make_practitioner,
    make_service,
    open_salon,
    paris,
)
from tests.builders import AuthHeaders

MONDAY = 22  # 2027-03-22, a week after the pinned "now"


@pytest.fixture
async def facial() -> UUID:
    clock.pin(paris(2027, 3, 15, 8))
    await open_salon([("09:00", "19:00")], weekdays=range(6))  # closed on Sundays
    service_id = await make_service("Soin visage", minutes=60)
    await make_practitioner("Camille", [service_id], weekdays=range(6))  # 9-12, 13-18
    await add_closure(date(2027, 3, 23), date(2027, 3, 23))
    return service_id


async def _book(client: AsyncClient, service_id: UUID, start: str) -> tuple[int, dict[str, str]]:
    response = await client.post(
        "/api/v1/bookings",
        json={
            "service_ids": [str(service_id)],
            "start": start,
            "client": {"first_name": "Hélène", "last_name": "Dupont", "phone": "0612345678"},
        },
    )
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("start", "reason"),
    [
        ("2027-03-12T10:00:00+01:00", "in_the_past"),
        ("2027-03-15T09:00:00+01:00", "within_lead_time"),
        ("2027-07-19T10:00:00+02:00", "beyond_horizon"),
        ("2027-03-21T10:00:00+01:00", "salon_closed"),  # a Sunday
        ("2027-03-23T10:00:00+01:00", "salon_closed"),  # a closure
        ("2027-03-22T19:30:00+01:00", "outside_opening_hours"),
        ("2027-03-22T10:07:00+01:00", "off_grid"),
        ("2027-03-22T12:15:00+01:00", "practitioner_not_working"),
    ],
)
async def test_a_refused_time_says_why(
    client: AsyncClient, facial: UUID, start: str, reason: str
) -> None:
    status, body = await _book(client, facial, start)

    assert (status, body["code"], body.get("reason")) == (409, "slot_unavailable", reason)


async def test_a_taken_time_says_taken(client: AsyncClient, facial: UUID) -> None:
    first, _ = await _book(client, facial, "2027-03-22T10:00:00+01:00")
    status, body = await _book(client, facial, "2027-03-22T10:00:00+01:00")

    assert first == 201
    assert (status, body["reason"]) == (409, "taken")


async def test_staff_record_a_walk_in_that_already_happened(
    client: AsyncClient, auth_headers: AuthHeaders, facial: UUID
) -> None:
    clock.pin(paris(2027, 3, 22, 16))
    desk = await auth_headers(Role.receptionist)
    body = {
        "service_ids": [str(facial)],
        "start": "2027-03-22T10:00:00+01:00",
        "client_id": str(await make_client()),
    }

    by_phone = await client.post("/api/v1/bookings", json=body | {"source": "phone"}, headers=desk)
    walk_in = await client.post("/api/v1/bookings", json=body | {"source": "walk_in"}, headers=desk)

    assert (by_phone.status_code, by_phone.json()["reason"]) == (409, "in_the_past")
    assert walk_in.status_code == 201, walk_in.text
    assert walk_in.json()["source"] == "walk_in"
    assert walk_in.json()["status"] == "confirmed"
