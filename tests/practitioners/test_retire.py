"""Retiring a practitioner with future bookings; a special opening nobody works (issue 12,
defect 27)."""

from __future__ import annotations

from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from tests.bookings.salon import (
    book_by_staff,
    facial_with_camille,
    make_practitioner,
    make_service,
    open_salon,
    paris,
)
from tests.builders import AuthHeaders


async def test_retiring_her_with_future_bookings_is_refused_unless_forced(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    clock.pin(paris(2027, 3, 15, 8))
    facial, camille = await facial_with_camille()
    manager = await auth_headers(Role.manager)
    booking = await book_by_staff(client, manager, [facial], "2027-03-22T09:00:00+01:00")
    url = f"/api/v1/practitioners/{camille}"

    refused = await client.delete(url, headers=manager)
    patched = await client.patch(url, json={"is_active": False}, headers=manager)
    still = await client.get("/api/v1/practitioners")
    forced = await client.delete(url, params={"force": "true"}, headers=manager)
    gone = await client.get("/api/v1/practitioners")

    assert (refused.status_code, refused.json()["code"]) == (409, "bookings_in_conflict")
    assert [b["id"] for b in refused.json()["bookings"]] == [booking["id"]]
    assert patched.json()["code"] == "bookings_in_conflict"
    assert [p["id"] for p in still.json()["items"]] == [str(camille)]
    assert forced.status_code == 200, forced.text
    assert forced.json()["is_active"] is False
    assert [b["id"] for b in forced.json()["conflicting_bookings"]] == [booking["id"]]
    assert gone.json()["items"] == []


async def test_retiring_her_with_only_past_bookings_goes_through(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    clock.pin(paris(2027, 3, 15, 8))
    facial, camille = await facial_with_camille()
    manager = await auth_headers(Role.manager)
    await book_by_staff(client, manager, [facial], "2027-03-15T10:00:00+01:00")
    clock.pin(paris(2027, 3, 16, 8))
    manager = await auth_headers(Role.manager)

    patched = await client.patch(
        f"/api/v1/practitioners/{camille}", json={"is_active": False}, headers=manager
    )

    assert patched.status_code == 200, patched.text
    assert patched.json()["is_active"] is False
    assert patched.json()["conflicting_bookings"] == []


async def test_a_sunday_opening_says_who_works_and_warns_when_nobody_does(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    clock.pin(paris(2027, 3, 15, 8))
    await open_salon(weekdays=range(6))
    facial = await make_service("Soin visage")
    await make_practitioner("Camille", [facial], weekdays=range(6))
    manager = await auth_headers(Role.manager)
    body = {"date": "2027-03-21", "start": "10:00", "end": "16:00", "reason": "Portes ouvertes"}

    nobody = await client.post("/api/v1/availability/special-openings", json=body, headers=manager)
    lea = await make_practitioner("Léa", [facial], weekdays=[6], hours=[("11:00", "15:00")])
    someone = await client.post(
        "/api/v1/availability/special-openings",
        json=body | {"date": "2027-03-28"},
        headers=manager,
    )

    assert nobody.status_code == 201, nobody.text
    assert nobody.json()["practitioner_ids_working"] == []
    assert "no slot" in nobody.json()["warning"]
    assert someone.json()["practitioner_ids_working"] == [str(lea)]
    assert someone.json()["warning"] is None
