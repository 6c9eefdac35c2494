"""The CRM reads names, not only ids (issue 12, defect 21)."""

from __future__ import annotations

from datetime import date

from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from tests.bookings.salon import (
    add_absence,
    add_block,
    add_closure,
    facial_with_camille,
    make_practitioner,
    paris,
)
from tests.builders import AuthHeaders

NINE = "2027-03-22T09:00:00+01:00"
CLIENT = {"first_name": "Hélène", "last_name": "Dupont", "phone": "06 12 34 56 78"}


async def test_bookings_and_the_manage_view_carry_the_names(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    clock.pin(paris(2027, 3, 15, 8))
    facial, _ = await facial_with_camille()

    made = await client.post(
        "/api/v1/bookings", json={"service_ids": [str(facial)], "start": NINE, "client": CLIENT}
    )
    managed = await client.get(f"/api/v1/bookings/manage/{made.json()['manage_token']}")
    listed = await client.get("/api/v1/bookings", headers=await auth_headers(Role.receptionist))

    for booking in (made.json(), managed.json(), listed.json()["items"][0]):
        assert booking["client_name"] == "Hélène Dupont"
        [item] = booking["items"]
        assert (item["service_name"], item["practitioner_name"]) == ("Soin visage", "Camille")


async def test_the_calendar_names_everyone_and_shows_closures_and_reasons(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    clock.pin(paris(2027, 3, 15, 8))
    facial, camille = await facial_with_camille()
    lea = await make_practitioner("Léa", [facial])
    await client.post(
        "/api/v1/bookings", json={"service_ids": [str(facial)], "start": NINE, "client": CLIENT}
    )
    await add_block(camille, paris(2027, 3, 22, 14), paris(2027, 3, 22, 15))  # "Formation"
    await add_absence(lea, paris(2027, 3, 22, 0), paris(2027, 3, 23, 0))  # "Congés"
    await add_closure(date(2027, 3, 23), date(2027, 3, 23))  # "Fermeture"

    response = await client.get(
        "/api/v1/calendar",
        params={"date_from": "2027-03-22", "days": 2},
        headers=await auth_headers(Role.receptionist),
    )

    assert response.status_code == 200, response.text
    by_kind = {e["kind"]: e for e in response.json()["entries"]}
    booking = by_kind["booking"]
    assert (booking["service_name"], booking["practitioner_name"], booking["client_name"]) == (
        "Soin visage",
        "Camille",
        "Hélène Dupont",
    )
    assert (by_kind["block"]["reason"], by_kind["block"]["practitioner_name"]) == (
        "Formation",
        "Camille",
    )
    assert (by_kind["absence"]["reason"], by_kind["absence"]["practitioner_name"]) == (
        "Congés",
        "Léa",
    )
    closure = by_kind["closure"]
    assert closure["practitioner_id"] is None
    assert (closure["start"], closure["end"]) == (
        "2027-03-23T00:00:00+01:00",
        "2027-03-24T00:00:00+01:00",
    )
    assert closure["reason"] == "Fermeture"
