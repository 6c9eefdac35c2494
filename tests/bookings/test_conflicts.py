"""Closures, absences and blocks over live bookings; statuses recorded too early (issue 12,
defect 22)."""

from __future__ import annotations

from uuid import UUID

import pytest
from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from tests.bookings.salon import (
    book_by_staff,
    facial_with_camille,
    make_practitioner,
    paris,
)
from tests.builders import AuthHeaders

NINE = "2027-03-22T09:00:00+01:00"


@pytest.fixture
async def booked(client: AsyncClient, auth_headers: AuthHeaders) -> tuple[str, UUID, UUID]:
    """A facial with Camille on Monday 22 March at 9:00: (booking id, camille, service)."""
    clock.pin(paris(2027, 3, 15, 8))
    facial, camille = await facial_with_camille()
    booking = await book_by_staff(client, await auth_headers(Role.manager), [facial], NINE)
    return booking["id"], camille, facial


async def test_a_closure_over_bookings_is_refused_with_them_unless_forced(
    client: AsyncClient, auth_headers: AuthHeaders, booked: tuple[str, UUID, UUID]
) -> None:
    booking_id, camille, _ = booked
    manager = await auth_headers(Role.manager)
    body = {"start_date": "2027-03-22", "end_date": "2027-03-22", "reason": "Travaux"}

    refused = await client.post("/api/v1/availability/closures", json=body, headers=manager)
    listed = await client.get("/api/v1/availability/closures")
    forced = await client.post(
        "/api/v1/availability/closures", json=body | {"force": True}, headers=manager
    )
    elsewhere = await client.post(
        "/api/v1/availability/closures",
        json={"start_date": "2027-03-23", "end_date": "2027-03-24"},
        headers=manager,
    )

    assert (refused.status_code, refused.json()["code"]) == (409, "bookings_in_conflict")
    [conflict] = refused.json()["bookings"]
    assert conflict["id"] == booking_id
    assert conflict["start"] == NINE
    assert conflict["practitioner_ids"] == [str(camille)]
    assert listed.json()["items"] == []
    assert forced.status_code == 201, forced.text
    assert [b["id"] for b in forced.json()["conflicting_bookings"]] == [booking_id]
    assert elsewhere.json()["conflicting_bookings"] == []


async def test_an_absence_over_her_bookings_is_refused_unless_forced(
    client: AsyncClient, auth_headers: AuthHeaders, booked: tuple[str, UUID, UUID]
) -> None:
    booking_id, camille, facial = booked
    lea = await make_practitioner("Léa", [facial])
    manager = await auth_headers(Role.manager)
    body = {"start": "2027-03-22T00:00:00+01:00", "end": "2027-03-23T00:00:00+01:00"}

    refused = await client.post(
        f"/api/v1/practitioners/{camille}/absences", json=body, headers=manager
    )
    hers = await client.get(f"/api/v1/practitioners/{camille}/absences", headers=manager)
    other = await client.post(f"/api/v1/practitioners/{lea}/absences", json=body, headers=manager)
    forced = await client.post(
        f"/api/v1/practitioners/{camille}/absences",
        json=body | {"force": True, "reason": "Maladie"},
        headers=manager,
    )

    assert (refused.status_code, refused.json()["code"]) == (409, "bookings_in_conflict")
    assert [b["id"] for b in refused.json()["bookings"]] == [booking_id]
    assert hers.json()["items"] == []
    assert other.status_code == 201
    assert other.json()["conflicting_bookings"] == []
    assert forced.status_code == 201
    assert forced.json()["reason"] == "Maladie"
    assert [b["id"] for b in forced.json()["conflicting_bookings"]] == [booking_id]


async def test_a_block_over_her_booking_is_refused_unless_forced(
    client: AsyncClient, auth_headers: AuthHeaders, booked: tuple[str, UUID, UUID]
) -> None:
    booking_id, camille, _ = booked
    desk = await auth_headers(Role.receptionist)
    body = {
        "practitioner_id": str(camille),
        "start": "2027-03-22T09:30:00+01:00",
        "end": "2027-03-22T11:00:00+01:00",
    }

    refused = await client.post("/api/v1/availability/blocks", json=body, headers=desk)
    after = await client.post(
        "/api/v1/availability/blocks",
        json=body | {"start": "2027-03-22T10:00:00+01:00"},
        headers=desk,
    )
    forced = await client.post(
        "/api/v1/availability/blocks", json=body | {"force": True}, headers=desk
    )

    assert (refused.status_code, refused.json()["code"]) == (409, "bookings_in_conflict")
    assert after.status_code == 201
    assert after.json()["conflicting_bookings"] == []
    assert [b["id"] for b in forced.json()["conflicting_bookings"]] == [booking_id]


async def test_check_in_and_no_show_are_refused_long_before_the_visit(
    client: AsyncClient, auth_headers: AuthHeaders, booked: tuple[str, UUID, UUID]
) -> None:
    booking_id, _, _ = booked
    url = f"/api/v1/bookings/{booking_id}/status"
    desk = await auth_headers(Role.receptionist)

    early_check_in = await client.post(url, json={"status": "checked_in"}, headers=desk)
    early_no_show = await client.post(url, json={"status": "no_show"}, headers=desk)
    clock.pin(paris(2027, 3, 22, 8, 10))  # she is early
    desk = await auth_headers(Role.receptionist)
    on_the_day = await client.post(url, json={"status": "checked_in"}, headers=desk)

    assert (early_check_in.status_code, early_check_in.json()["code"]) == (
        409,
        "too_early_for_status",
    )
    assert early_check_in.json()["opens_at"] == "2027-03-22T08:00:00+01:00"
    assert early_no_show.json()["code"] == "too_early_for_status"
    assert on_the_day.json()["status"] == "checked_in"
