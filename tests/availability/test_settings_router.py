from __future__ import annotations

from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from tests.bookings.salon import make_practitioner, make_service, paris
from tests.builders import AuthHeaders, login, make_user

RULES = {
    "slot_interval_minutes": 30,
    "min_lead_time_minutes": 60,
    "max_advance_days": 60,
    "hold_minutes": 10,
    "cancellation_notice_hours": 48,
    "home_visit_radius_km": "10",
    "home_travel_minutes": 20,
    "home_travel_fee_cents": 1000,
    "salon_latitude": "45.7673",
    "salon_longitude": "4.8511",
}


async def test_opening_hours_are_replaced_and_public(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    week = [{"weekday": d, "start": "09:30", "end": "19:00"} for d in range(1, 6)]

    saved = await client.put(
        "/api/v1/availability/opening-hours", json=week, headers=await auth_headers(Role.manager)
    )
    public = await client.get("/api/v1/availability/opening-hours")
    refused = await client.put(
        "/api/v1/availability/opening-hours",
        json=week,
        headers=await auth_headers(Role.receptionist),
    )

    assert saved.status_code == 200
    assert public.json() == {"items": week, "next_cursor": None}
    assert refused.status_code == 403


async def test_booking_rules_are_validated_and_change_the_grid(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    clock.pin(paris(2027, 3, 15, 8))
    headers = await auth_headers(Role.manager)
    bad = await client.put(
        "/api/v1/settings/booking-rules", json=RULES | {"slot_interval_minutes": 7}, headers=headers
    )
    before = await client.get("/api/v1/settings/booking-rules")
    saved = await client.put("/api/v1/settings/booking-rules", json=RULES, headers=headers)

    assert bad.status_code == 422
    assert before.json()["slot_interval_minutes"] == 15
    assert saved.json()["slot_interval_minutes"] == 30

    await client.put(
        "/api/v1/availability/opening-hours",
        json=[{"weekday": 0, "start": "09:00", "end": "11:00"}],
        headers=headers,
    )
    facial = await make_service(minutes=60)
    await make_practitioner("Camille", [facial])
    slots = await client.get(
        "/api/v1/availability/slots",
        params={"service_ids": str(facial), "date_from": "2027-03-22", "date_to": "2027-03-22"},
    )
    assert [s["start"][11:16] for s in slots.json()["slots"]] == ["09:00", "09:30", "10:00"]


async def test_closures_and_special_openings(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    headers = await auth_headers(Role.manager)
    closure = await client.post(
        "/api/v1/availability/closures",
        json={"start_date": "2026-12-24", "end_date": "2026-12-26", "reason": "Noël"},
        headers=headers,
    )
    inverted = await client.post(
        "/api/v1/availability/closures",
        json={"start_date": "2026-12-26", "end_date": "2026-12-24"},
        headers=headers,
    )
    opening = await client.post(
        "/api/v1/availability/special-openings",
        json={"date": "2026-12-20", "start": "10:00", "end": "18:00"},
        headers=headers,
    )

    assert closure.status_code == 201
    assert inverted.status_code == 422
    assert opening.json()["start"] == "10:00"
    listed = await client.get("/api/v1/availability/closures", params={"date_from": "2026-12-01"})
    assert [c["reason"] for c in listed.json()["items"]] == ["Noël"]
    gone = await client.delete(
        f"/api/v1/availability/closures/{closure.json()['id']}", headers=headers
    )
    assert gone.status_code == 204


async def test_blocks_by_the_front_desk_or_the_practitioner_herself(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    account = await make_user(role=Role.practitioner)
    herself = await make_practitioner("Camille", [], user_id=account.id)
    other = await make_practitioner("Léa", [])
    tokens = await login(client, account.email)
    own_headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    block = {
        "start": "2027-03-29T12:00:00+02:00",
        "end": "2027-03-29T14:00:00+02:00",
        "reason": "Formation",
    }

    front_desk = await client.post(
        "/api/v1/availability/blocks",
        json=block | {"practitioner_id": str(other)},
        headers=await auth_headers(Role.receptionist),
    )
    own = await client.post(
        "/api/v1/availability/blocks",
        json=block | {"practitioner_id": str(herself)},
        headers=own_headers,
    )
    not_hers = await client.post(
        "/api/v1/availability/blocks",
        json=block | {"practitioner_id": str(other)},
        headers=own_headers,
    )
    naive = await client.post(
        "/api/v1/availability/blocks",
        json=block | {"practitioner_id": str(herself), "start": "2027-03-29T12:00:00"},
        headers=own_headers,
    )

    assert front_desk.status_code == 201
    assert own.status_code == 201
    assert not_hers.status_code == 403
    assert naive.status_code == 422
