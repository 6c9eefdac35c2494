"""Every request body the issues wrote out, sent exactly as written (issue 2: auth; issue 3:
the booking contract). A field added later to one of these requests must stay optional."""

from __future__ import annotations

from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from tests.bookings.salon import paris
from tests.builders import AuthHeaders


async def test_the_booking_rules_body_of_the_booking_issue_is_accepted(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    headers = await auth_headers(Role.manager)
    await client.put(
        "/api/v1/settings/booking-rules",
        json={
            "slot_interval_minutes": 15,
            "min_lead_time_minutes": 120,
            "max_advance_days": 90,
            "hold_minutes": 15,
            "cancellation_notice_hours": 24,
            "home_travel_fee_cents": 900,
            "deposit_policy": "acompte",
        },
        headers=headers,
    )

    saved = await client.put(
        "/api/v1/settings/booking-rules",
        json={
            "slot_interval_minutes": 30,
            "min_lead_time_minutes": 60,
            "max_advance_days": 60,
            "hold_minutes": 10,
            "cancellation_notice_hours": 48,
        },
        headers=headers,
    )

    assert saved.status_code == 200, saved.text
    rules = (await client.get("/api/v1/settings/booking-rules")).json()
    assert rules["slot_interval_minutes"] == 30
    assert rules["cancellation_notice_hours"] == 48
    # Fields the body did not name keep the value they had.
    assert rules["home_travel_fee_cents"] == 900
    assert rules["deposit_policy"] == "acompte"


async def test_the_catalog_and_schedule_bodies_of_the_booking_issue_are_accepted(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    clock.pin(paris(2027, 3, 22, 8))
    headers = await auth_headers(Role.manager)

    resource = await client.post("/api/v1/resources", json={"name": "Cabine 1"}, headers=headers)
    assert resource.status_code == 201, resource.text
    service = await client.post(
        "/api/v1/services",
        json={
            "name": "Soin visage",
            "duration_minutes": 60,
            "price_cents": 6500,
            "vat_rate": "20.00",
            "buffer_before_minutes": 0,
            "buffer_after_minutes": 10,
            "resource_ids": [resource.json()["id"]],
            "online_bookable": True,
        },
        headers=headers,
    )
    assert service.status_code == 201, service.text
    practitioner = await client.post(
        "/api/v1/practitioners",
        json={"display_name": "Léa", "service_ids": [service.json()["id"]]},
        headers=headers,
    )
    assert practitioner.status_code == 201, practitioner.text
    practitioner_id = practitioner.json()["id"]
    hours = await client.put(
        f"/api/v1/practitioners/{practitioner_id}/working-hours",
        json=[{"weekday": 0, "start": "09:00", "end": "12:00"}],
        headers=headers,
    )
    assert hours.status_code == 200, hours.text
    opening = await client.put(
        "/api/v1/availability/opening-hours",
        json=[{"weekday": 0, "start": "09:00", "end": "12:00"}],
        headers=headers,
    )
    assert opening.status_code == 200, opening.text
    closure = await client.post(
        "/api/v1/availability/closures",
        json={"start_date": "2027-12-24", "end_date": "2027-12-26", "reason": "Noël"},
        headers=headers,
    )
    assert closure.status_code == 201, closure.text
    block = await client.post(
        "/api/v1/availability/blocks",
        json={
            "practitioner_id": practitioner_id,
            "start": "2027-03-29T11:00:00+02:00",
            "end": "2027-03-29T12:00:00+02:00",
            "reason": "Formation",
        },
        headers=headers,
    )
    assert block.status_code == 201, block.text
    slots = await client.get(
        "/api/v1/availability/slots",
        params={
            "service_ids": service.json()["id"],
            "date_from": "2027-03-29",
            "date_to": "2027-03-29",
        },
    )
    assert slots.status_code == 200, slots.text
    assert slots.json()["slots"][0]["start"] == "2027-03-29T09:00:00+02:00"

    booking = await client.post(
        "/api/v1/bookings",
        json={
            "service_ids": [service.json()["id"]],
            "start": "2027-03-29T09:00:00+02:00",
            "client": {
                "first_name": "Hélène",
                "last_name": "Dupont",
                "email": "helene.dupont@example.fr",
                "phone": "06 12 34 56 78",
            },
        },
    )
    assert booking.status_code == 201, booking.text
    assert {"id", "status", "start", "end", "items"} <= booking.json().keys()


async def test_the_auth_bodies_of_the_foundation_issue_are_accepted(client: AsyncClient) -> None:
    signup = await client.post(
        "/api/v1/auth/signup",
        json={
            "email": "ines@example.fr",
            "password": "une-phrase-secrete",
            "first_name": "Inès",
            "last_name": "Martin",
        },
    )
    assert signup.status_code == 201, signup.text

    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": signup.json()["refresh_token"]}
    )

    assert refreshed.status_code == 200, refreshed.text
    assert {"access_token", "refresh_token", "token_type"} <= refreshed.json().keys()
