"""Bookings through the API on the real database: creation, holds, policy, links, races."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.bookings.models import Booking, BookingAllocation
from app.bookings.tasks import expire_holds
from app.core import clock
from tests.bookings.salon import (
    add_prerequisite,
    make_client,
    make_practitioner,
    make_resource,
    make_service,
    open_salon,
    paris,
)
from tests.builders import AuthHeaders, login, make_user, sign_up

MONDAY = date(2027, 3, 22)
NINE = "2027-03-22T09:00:00+01:00"
CLIENT = {
    "first_name": "Hélène",
    "last_name": "Dupont",
    "email": "helene@example.fr",
    "phone": "06 12 34 56 78",
}


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


async def book(
    http: AsyncClient,
    services: list[UUID],
    start: str = NINE,
    headers: dict[str, str] | None = None,
    who: dict[str, str] | None = None,
    **extra: Any,
) -> Any:
    body = {
        "service_ids": [str(s) for s in services],
        "start": start,
        "client": who or CLIENT,
    } | extra
    return await http.post("/api/v1/bookings", json=body, headers=headers or {})


async def count_bookings(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Booking)) or 0)


async def free_starts(
    client: AsyncClient, services: list[UUID], day: date = MONDAY, location: str = "salon"
) -> list[str]:
    response = await client.get(
        "/api/v1/availability/slots",
        params={
            "service_ids": ",".join(map(str, services)),
            "date_from": day.isoformat(),
            "date_to": day.isoformat(),
            "location": location,
        },
    )
    return [slot["start"] for slot in response.json()["slots"]]


@pytest.fixture
async def facial() -> UUID:
    await open_salon()
    service = await make_service("Soin éclat", minutes=60, after=15)
    await make_practitioner("Camille", [service])
    return service


async def test_an_online_booking_is_confirmed_and_takes_its_slot(
    client: AsyncClient, facial: UUID
) -> None:
    response = await book(client, [facial])

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "confirmed"
    assert body["start"] == NINE
    assert body["end"] == "2027-03-22T10:00:00+01:00"
    assert body["source"] == "online"
    assert body["total_cents"] == 6000
    assert [item["service_id"] for item in body["items"]] == [str(facial)]
    assert body["manage_token"]
    remaining = await free_starts(client, [facial])
    assert NINE not in remaining
    assert "2027-03-22T10:00:00+01:00" not in remaining  # the cleaning buffer after
    assert "2027-03-22T10:15:00+01:00" in remaining


async def test_a_taken_slot_is_a_409_and_creates_nothing(
    client: AsyncClient, session: AsyncSession, facial: UUID
) -> None:
    await book(client, [facial])

    second = await book(
        client,
        [facial],
        start="2027-03-22T09:30:00+01:00",
        who={**CLIENT, "email": "autre@example.fr"},
    )

    assert second.status_code == 409
    assert second.json()["code"] == "slot_unavailable"
    assert await count_bookings(session) == 1


async def test_the_server_never_trusts_the_time_it_is_sent(
    client: AsyncClient, session: AsyncSession, facial: UUID
) -> None:
    await book(client, [facial])
    # 10:05 is right after the service but inside its cleaning buffer, and off the grid.
    sneaky = await book(client, [facial], start="2027-03-22T10:05:00+01:00")
    at_night = await book(client, [facial], start="2027-03-22T23:00:00+01:00")

    assert sneaky.json()["code"] == "slot_unavailable"
    assert at_night.json()["code"] == "slot_unavailable"
    assert await count_bookings(session) == 1


async def test_a_start_without_offset_is_refused(client: AsyncClient, facial: UUID) -> None:
    response = await book(client, [facial], start="2027-03-22T09:00:00")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.start"


@pytest.mark.commits  # a race between sessions on their own connections
async def test_many_clients_racing_for_one_slot_get_exactly_one_booking(
    client: AsyncClient, session: AsyncSession, facial: UUID
) -> None:
    async def attempt(n: int) -> int:
        response = await book(client, [facial], who={**CLIENT, "email": f"c{n}@example.fr"})
        return response.status_code

    statuses = await asyncio.gather(*(attempt(n) for n in range(12)))

    assert statuses.count(201) == 1
    assert statuses.count(409) == 11
    assert await count_bookings(session) == 1


async def test_two_practitioners_cannot_share_one_room_at_once(
    client: AsyncClient, session: AsyncSession
) -> None:
    await open_salon()
    hammam = await make_resource("Hammam")
    ritual = await make_service("Rituel", minutes=60, resources=(hammam,))
    camille = await make_practitioner("Camille", [ritual])
    lea = await make_practitioner("Léa", [ritual])

    first = await book(client, [ritual], practitioner_id=str(camille))
    second = await book(
        client, [ritual], practitioner_id=str(lea), who={**CLIENT, "email": "b@example.fr"}
    )

    assert first.status_code == 201
    assert second.json()["code"] == "slot_unavailable"
    rooms = await session.scalar(
        select(func.count()).where(BookingAllocation.resource_id == hammam)
    )
    assert rooms == 1


async def test_any_practitioner_books_whoever_is_free(client: AsyncClient) -> None:
    await open_salon()
    facial = await make_service(minutes=60)
    camille = await make_practitioner("Camille", [facial], order=0)
    lea = await make_practitioner("Léa", [facial], order=1)

    first = (await book(client, [facial])).json()
    second = (await book(client, [facial], who={**CLIENT, "email": "b@example.fr"})).json()
    third = await book(client, [facial], who={**CLIENT, "email": "c@example.fr"})

    assert {first["items"][0]["practitioner_id"], second["items"][0]["practitioner_id"]} == {
        str(camille),
        str(lea),
    }
    assert third.status_code == 409


async def test_processing_time_lets_the_practitioner_take_another_client(
    client: AsyncClient,
) -> None:
    await open_salon()
    room_a, room_b = await make_resource("Cabine 1"), await make_resource("Cabine 2")
    tint = await make_service("Couleur", minutes=90, pause_at=30, pause=45, resources=(room_a,))
    brows = await make_service("Sourcils", minutes=30, resources=(room_b,))
    await make_practitioner("Camille", [tint, brows])

    colour = await book(client, [tint])
    meanwhile = await book(
        client, [brows], start="2027-03-22T09:30:00+01:00", who={**CLIENT, "email": "b@example.fr"}
    )
    same_room = await book(
        client, [tint], start="2027-03-22T09:30:00+01:00", who={**CLIENT, "email": "c@example.fr"}
    )

    assert colour.status_code == 201
    assert meanwhile.status_code == 201
    assert same_room.status_code == 409


async def test_two_services_in_sequence_make_one_booking(client: AsyncClient) -> None:
    await open_salon()
    facial = await make_service("Soin", minutes=60)
    nails = await make_service("Manucure", minutes=30, price_cents=3500)
    await make_practitioner("Camille", [facial, nails])

    response = await book(client, [facial, nails])

    body = response.json()
    assert response.status_code == 201
    assert body["end"] == "2027-03-22T10:30:00+01:00"
    assert [i["start"] for i in body["items"]] == [NINE, "2027-03-22T10:00:00+01:00"]
    assert body["total_cents"] == 9500


async def test_a_deposit_turns_an_online_booking_into_a_hold_that_expires(
    client: AsyncClient, session: AsyncSession
) -> None:
    await open_salon()
    massage = await make_service("Massage", minutes=60, price_cents=9000, deposit_percent="30")
    await make_practitioner("Camille", [massage])

    held = (await book(client, [massage])).json()

    assert held["status"] == "pending_payment"
    assert held["deposit_cents"] == 2700
    assert held["deposit_policy"] == "arrhes"
    assert held["hold_expires_at"] == "2027-03-15T08:15:00+01:00"
    assert NINE not in await free_starts(client, [massage])

    clock.travel(timedelta(minutes=16))
    assert NINE in await free_starts(client, [massage])  # an expired hold frees the slot
    taken = await book(client, [massage], who={**CLIENT, "email": "b@example.fr"})
    assert taken.status_code == 201
    old = await session.get(Booking, UUID(held["id"]))
    assert old is not None
    assert old.status == "cancelled"
    assert old.cancellation_reason == "hold_expired"


async def test_the_periodic_task_expires_unpaid_holds(
    client: AsyncClient, session: AsyncSession
) -> None:
    await open_salon()
    massage = await make_service("Massage", minutes=60, deposit_percent="30")
    await make_practitioner("Camille", [massage])
    held = (await book(client, [massage])).json()

    assert await expire_holds() == 0
    clock.travel(timedelta(minutes=15))
    assert await expire_holds() == 1

    booking = await session.get(Booking, UUID(held["id"]))
    assert booking is not None
    assert booking.status == "cancelled"
    live = await session.scalar(
        select(func.count()).where(
            BookingAllocation.booking_id == booking.id, BookingAllocation.live.is_(True)
        )
    )
    assert live == 0


async def test_staff_bookings_are_confirmed_even_with_a_deposit(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    await open_salon()
    massage = await make_service("Massage", minutes=60, deposit_percent="30")
    await make_practitioner("Camille", [massage])
    client_id = await make_client()

    response = await client.post(
        "/api/v1/bookings",
        json={"service_ids": [str(massage)], "start": NINE, "client_id": str(client_id)},
        headers=await auth_headers(Role.receptionist),
    )

    assert response.status_code == 201
    assert response.json()["status"] == "confirmed"
    assert response.json()["source"] == "phone"


async def test_a_booking_with_an_idempotency_key_is_made_once(
    client: AsyncClient, session: AsyncSession, facial: UUID
) -> None:
    headers = {"Idempotency-Key": "booking-7f3c"}
    first = await book(client, [facial], headers=headers)
    again = await book(client, [facial], headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert await count_bookings(session) == 1


async def test_a_first_lash_lift_needs_a_recent_patch_test(client: AsyncClient) -> None:
    await open_salon()
    patch = await make_service("Test d'allergie", minutes=15)
    lift = await make_service("Rehaussement de cils", minutes=60)
    await add_prerequisite(lift, patch, within_days=30, min_days_before=2)
    await make_practitioner("Camille", [patch, lift])

    refused = await book(client, [lift])
    assert refused.status_code == 409
    assert refused.json()["code"] == "prerequisite_missing"

    test = await book(client, [patch], start="2027-03-18T09:00:00+01:00")
    assert test.status_code == 201
    allowed = await book(client, [lift])
    assert allowed.status_code == 201


async def test_a_client_cancels_in_time_or_late_by_her_link(
    client: AsyncClient, facial: UUID
) -> None:
    early = (await book(client, [facial])).json()
    late = (await book(client, [facial], start="2027-03-16T09:00:00+01:00")).json()
    clock.pin(paris(2027, 3, 15, 12))  # 21 hours before the second one

    in_time = await client.post(
        f"/api/v1/bookings/manage/{early['manage_token']}/cancel", json={"reason": "Empêchement"}
    )
    too_late = await client.post(f"/api/v1/bookings/manage/{late['manage_token']}/cancel", json={})

    assert in_time.json()["status"] == "cancelled"
    assert in_time.json()["late_cancellation"] is False
    assert too_late.json()["late_cancellation"] is True
    assert NINE in await free_starts(client, [facial])


async def test_a_client_cannot_move_a_booking_inside_the_notice_but_staff_can(
    client: AsyncClient, auth_headers: AuthHeaders, facial: UUID
) -> None:
    booking = (await book(client, [facial], start="2027-03-16T09:00:00+01:00")).json()
    clock.pin(paris(2027, 3, 15, 12))

    by_link = await client.post(
        f"/api/v1/bookings/manage/{booking['manage_token']}/reschedule",
        json={"start": "2027-03-16T14:00:00+01:00"},
    )
    by_staff = await client.post(
        f"/api/v1/bookings/{booking['id']}/reschedule",
        json={"start": "2027-03-16T14:00:00+01:00"},
        headers=await auth_headers(Role.receptionist),
    )

    assert by_link.status_code == 409
    assert by_link.json()["code"] == "too_late_to_change"
    assert by_staff.status_code == 200
    assert by_staff.json()["start"] == "2027-03-16T14:00:00+01:00"


async def test_rescheduling_frees_the_old_time_and_checks_the_new(
    client: AsyncClient, facial: UUID
) -> None:
    mine = (await book(client, [facial])).json()
    other = await book(
        client, [facial], start="2027-03-22T14:00:00+01:00", who={**CLIENT, "email": "b@example.fr"}
    )
    assert other.status_code == 201
    link = f"/api/v1/bookings/manage/{mine['manage_token']}/reschedule"

    onto_other = await client.post(link, json={"start": "2027-03-22T14:00:00+01:00"})
    later = await client.post(link, json={"start": "2027-03-22T09:15:00+01:00"})

    assert onto_other.json()["code"] == "slot_unavailable"
    assert later.status_code == 200  # overlaps its own old time, which it gives up
    assert later.json()["start"] == "2027-03-22T09:15:00+01:00"
    assert NINE not in await free_starts(client, [facial])  # buffer-free 9:00 too short now


async def test_tampered_and_expired_manage_links_are_refused(
    client: AsyncClient, facial: UUID
) -> None:
    token = (await book(client, [facial])).json()["manage_token"]
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")

    assert (await client.get(f"/api/v1/bookings/manage/{token}")).status_code == 200
    bad = await client.get(f"/api/v1/bookings/manage/{tampered}")
    assert bad.status_code == 403
    assert bad.json()["code"] == "invalid_manage_link"
    clock.pin(paris(2027, 3, 23, 10))  # a day after the visit
    expired = await client.post(f"/api/v1/bookings/manage/{token}/cancel", json={})
    assert expired.json()["code"] == "invalid_manage_link"


async def test_status_follows_the_allowed_transitions_only(
    client: AsyncClient, auth_headers: AuthHeaders, facial: UUID
) -> None:
    booking = (await book(client, [facial])).json()
    url = f"/api/v1/bookings/{booking['id']}/status"
    clock.pin(paris(2027, 3, 22, 8, 55))  # she arrives
    headers = await auth_headers(Role.receptionist)

    checked_in = await client.post(url, json={"status": "checked_in"}, headers=headers)
    no_show = await client.post(url, json={"status": "no_show"}, headers=headers)
    done = await client.post(url, json={"status": "completed"}, headers=headers)
    cancel = await client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={}, headers=headers)
    bogus = await client.post(url, json={"status": "teleported"}, headers=headers)

    assert checked_in.json()["status"] == "checked_in"
    assert no_show.json()["code"] == "status_transition_not_allowed"
    assert done.json()["status"] == "completed"
    assert cancel.json()["code"] == "booking_not_changeable"
    assert bogus.status_code == 422


async def test_a_no_show_frees_the_rest_of_the_slot(
    client: AsyncClient, auth_headers: AuthHeaders, facial: UUID
) -> None:
    booking = (await book(client, [facial])).json()
    clock.pin(paris(2027, 3, 22, 8, 30))  # she calls: she will not come
    headers = await auth_headers(Role.receptionist)
    await client.post(
        f"/api/v1/bookings/{booking['id']}/status", json={"status": "no_show"}, headers=headers
    )
    clock.pin(paris(2027, 3, 15, 8))
    assert NINE in await free_starts(client, [facial])


async def test_a_practitioner_sees_her_own_bookings_only(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    await open_salon()
    facial = await make_service(minutes=60)
    camille_user = await make_user(role=Role.practitioner)
    camille = await make_practitioner("Camille", [facial], user_id=camille_user.id)
    lea = await make_practitioner("Léa", [facial])
    hers = (await book(client, [facial], practitioner_id=str(camille))).json()
    not_hers = (
        await book(
            client, [facial], practitioner_id=str(lea), who={**CLIENT, "email": "b@example.fr"}
        )
    ).json()
    tokens = await login(client, camille_user.email)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}

    listed = await client.get("/api/v1/bookings", headers=headers)
    own = await client.get(f"/api/v1/bookings/{hers['id']}", headers=headers)
    other = await client.get(f"/api/v1/bookings/{not_hers['id']}", headers=headers)
    calendar = await client.get(
        "/api/v1/calendar", params={"date_from": "2027-03-22"}, headers=headers
    )

    assert [b["id"] for b in listed.json()["items"]] == [hers["id"]]
    assert own.status_code == 200
    assert other.status_code == 404
    assert {e["practitioner_id"] for e in calendar.json()["entries"]} == {str(camille)}


async def test_a_client_account_sees_only_her_own_bookings(
    client: AsyncClient, facial: UUID
) -> None:
    headers = await sign_up(client, "ines@example.fr", "Inès", "Martin")
    mine = await book(client, [facial], headers=headers, who={**CLIENT, "email": "ines@example.fr"})
    someone_else = (await book(client, [facial], start="2027-03-22T14:00:00+01:00")).json()

    assert mine.status_code == 201
    assert (
        await client.get(f"/api/v1/bookings/{mine.json()['id']}", headers=headers)
    ).status_code == 200
    peek = await client.get(f"/api/v1/bookings/{someone_else['id']}", headers=headers)
    assert peek.status_code == 404
    cancel = await client.post(
        f"/api/v1/bookings/{someone_else['id']}/cancel", json={}, headers=headers
    )
    assert cancel.status_code == 404


async def test_the_staff_calendar_shows_a_day_per_practitioner(
    client: AsyncClient, auth_headers: AuthHeaders, facial: UUID
) -> None:
    await book(client, [facial])

    response = await client.get(
        "/api/v1/calendar",
        params={"date_from": "2027-03-22"},
        headers=await auth_headers(Role.receptionist),
    )

    (entry,) = response.json()["entries"]
    assert entry["kind"] == "booking"
    assert entry["title"] == "Soin éclat"
    assert entry["start"] == NINE


async def test_the_private_calendar_feed_needs_its_signed_link(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    await open_salon()
    facial = await make_service("Soin éclat", minutes=60)
    camille = await make_practitioner("Camille", [facial])
    await book(client, [facial])
    link = await client.get(
        f"/api/v1/practitioners/{camille}/calendar-feed", headers=await auth_headers(Role.manager)
    )
    url = link.json()["url"]

    feed = await client.get(url)
    forged = await client.get(url[: url.index("token=") + 6] + "forged")

    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert "DTSTART:20270322T080000Z" in feed.text
    assert "SUMMARY:Soin éclat - Hélène" in feed.text
    assert "Dupont" not in feed.text
    assert forged.status_code == 403


async def test_home_visits_add_travel_and_stay_within_the_radius(client: AsyncClient) -> None:
    await open_salon()
    facial = await make_service("Soin à domicile", minutes=60, home=True)
    await make_practitioner("Camille", [facial])
    near = {
        "location": "home",
        "home_address": "3 place Bellecour, 69002 Lyon",
        "home_latitude": "45.757800",
        "home_longitude": "4.832000",
    }
    far = near | {"home_address": "Paris", "home_latitude": "48.8566", "home_longitude": "2.3522"}

    refused = await book(client, [facial], **far)
    accepted = await book(client, [facial], start="2027-03-22T09:30:00+01:00", **near)

    assert refused.status_code == 422
    assert refused.json()["code"] == "home_visit_not_possible"
    assert accepted.status_code == 201
    assert accepted.json()["travel_fee_cents"] == 1500
    assert accepted.json()["total_cents"] == 7500
    # 30 minutes of travel each way: she is back at the salon at 11:00, and another home
    # visit (with its own travel) cannot fit before lunch.
    in_salon = await free_starts(client, [facial])
    assert "2027-03-22T10:45:00+01:00" not in in_salon
    assert "2027-03-22T11:00:00+01:00" in in_salon
    at_home = await free_starts(client, [facial], location="home")
    assert [s for s in at_home if s < "2027-03-22T13:00"] == []
    assert at_home[0] == "2027-03-22T13:00:00+01:00"


async def test_a_cancellation_offers_the_slot_to_the_first_waiting_clients(
    client: AsyncClient, auth_headers: AuthHeaders, facial: UUID
) -> None:
    taken = (await book(client, [facial])).json()
    waiting = [
        await client.post(
            "/api/v1/waitlist",
            json={
                "service_ids": [str(facial)],
                "date_from": "2027-03-20",
                "date_to": "2027-03-25",
                "client": {**CLIENT, "email": f"w{n}@example.fr"},
            },
        )
        for n in range(4)
    ]
    assert all(r.status_code == 201 for r in waiting)
    elsewhere = await client.post(
        "/api/v1/waitlist",
        json={
            "service_ids": [str(facial)],
            "date_from": "2027-04-01",
            "date_to": "2027-04-02",
            "client": {**CLIENT, "email": "later@example.fr"},
        },
    )

    await client.post(f"/api/v1/bookings/manage/{taken['manage_token']}/cancel", json={})

    listed = await client.get("/api/v1/waitlist", headers=await auth_headers(Role.receptionist))
    by_id = {e["id"]: e for e in listed.json()["items"]}
    statuses = [by_id[r.json()["id"]]["status"] for r in waiting]
    assert statuses == ["offered", "offered", "offered", "waiting"]
    assert by_id[waiting[0].json()["id"]]["offered_start_at"] == NINE
    assert by_id[elsewhere.json()["id"]]["status"] == "waiting"


async def test_a_client_moves_and_cancels_her_booking_from_her_account(
    client: AsyncClient, facial: UUID
) -> None:
    headers = await sign_up(client, "ines@example.fr", "Inès", "Martin")
    booking = (
        await book(client, [facial], headers=headers, who={**CLIENT, "email": "ines@example.fr"})
    ).json()

    moved = await client.post(
        f"/api/v1/bookings/{booking['id']}/reschedule",
        json={"start": "2027-03-22T14:00:00+01:00"},
        headers=headers,
    )
    cancelled = await client.post(
        f"/api/v1/bookings/{booking['id']}/cancel", json={"reason": "Imprévu"}, headers=headers
    )
    mine = await client.get("/api/v1/me/bookings", headers=headers)

    assert moved.json()["start"] == "2027-03-22T14:00:00+01:00"
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancelled_by"] == "client"
    assert cancelled.json()["late_cancellation"] is False
    assert [b["id"] for b in mine.json()["items"]] == [booking["id"]]
    assert "2027-03-22T14:00:00+01:00" in await free_starts(client, [facial])
