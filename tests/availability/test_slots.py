"""The slot search through the API, on the real database, in Europe/Paris."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from httpx import AsyncClient

from app.core import clock
from tests.bookings.salon import (
    add_absence,
    add_block,
    add_closure,
    add_special_opening,
    make_practitioner,
    make_resource,
    make_service,
    open_salon,
    paris,
)

MONDAY = date(2027, 3, 22)


@pytest.fixture(autouse=True)
def _monday_morning() -> None:
    clock.pin(paris(2027, 3, 15, 8))  # a week before: the lead time does not interfere


async def slots(
    client: AsyncClient, services: list[Any], day: date, last: date | None = None, **params: Any
) -> list[dict[str, Any]]:
    response = await client.get(
        "/api/v1/availability/slots",
        params={
            "service_ids": ",".join(str(s) for s in services),
            "date_from": day.isoformat(),
            "date_to": (last or day).isoformat(),
            **params,
        },
    )
    assert response.status_code == 200, response.text
    return list(response.json()["slots"])


def starts(found: list[dict[str, Any]]) -> list[str]:
    return [slot["start"][11:16] for slot in found]


async def test_slots_follow_working_hours_and_the_lunch_break(client: AsyncClient) -> None:
    await open_salon()
    facial = await make_service(minutes=60)
    await make_practitioner("Camille", [facial])

    found = await slots(client, [facial], MONDAY)

    assert starts(found)[0] == "09:00"
    assert "11:00" in starts(found)
    assert "11:15" not in starts(found)  # would run into lunch at 12:00
    assert "12:30" not in starts(found)
    assert starts(found)[-1] == "17:00"  # ends exactly at 18:00
    assert found[0]["start"] == "2027-03-22T09:00:00+01:00"
    assert found[0]["end"] == "2027-03-22T10:00:00+01:00"


async def test_the_grid_follows_the_slot_interval(client: AsyncClient) -> None:
    await open_salon()
    facial = await make_service(minutes=60)
    await make_practitioner("Camille", [facial], hours=[("09:00", "11:00")])

    found = await slots(client, [facial], MONDAY)

    assert starts(found) == ["09:00", "09:15", "09:30", "09:45", "10:00"]


async def test_salon_hours_bound_every_practitioner(client: AsyncClient) -> None:
    await open_salon([("10:00", "16:00")])
    facial = await make_service(minutes=60)
    await make_practitioner("Camille", [facial])

    found = await slots(client, [facial], MONDAY)

    assert starts(found)[0] == "10:00"
    assert starts(found)[-1] == "15:00"


async def test_a_closure_removes_the_day_and_a_special_opening_adds_one(
    client: AsyncClient,
) -> None:
    await open_salon(weekdays=[0, 1, 2, 3, 4, 5])  # closed on Sundays
    facial = await make_service(minutes=60)
    await make_practitioner("Camille", [facial])
    await add_closure(MONDAY, MONDAY)
    sunday = MONDAY + timedelta(days=6)
    await add_special_opening(sunday, "10:00", "13:00")

    assert await slots(client, [facial], MONDAY) == []
    assert starts(await slots(client, [facial], sunday))[0] == "10:00"
    assert starts(await slots(client, [facial], sunday))[-1] == "11:00"  # lunch at 12:00


async def test_absences_and_blocks_take_time_away(client: AsyncClient) -> None:
    await open_salon()
    facial = await make_service(minutes=60)
    camille = await make_practitioner("Camille", [facial])
    await add_absence(camille, paris(2027, 3, 22, 0), paris(2027, 3, 22, 12))
    await add_block(camille, paris(2027, 3, 22, 15), paris(2027, 3, 22, 16))

    found = starts(await slots(client, [facial], MONDAY))

    assert found[0] == "13:00"
    assert "14:15" not in found
    assert "15:00" not in found
    assert "16:00" in found


async def test_buffers_block_the_grid(client: AsyncClient) -> None:
    await open_salon()
    massage = await make_service("Massage", minutes=60, after=15)
    await make_practitioner("Camille", [massage], hours=[("09:00", "12:00")])

    found = starts(await slots(client, [massage], MONDAY))

    # the cleaning after may run past her hours, so 11:00 still fits
    assert found == [
        "09:00",
        "09:15",
        "09:30",
        "09:45",
        "10:00",
        "10:15",
        "10:30",
        "10:45",
        "11:00",
    ]


async def test_any_practitioner_unites_their_slots(client: AsyncClient) -> None:
    await open_salon()
    facial = await make_service(minutes=60)
    camille = await make_practitioner("Camille", [facial], hours=[("09:00", "10:00")])
    lea = await make_practitioner("Léa", [facial], hours=[("14:00", "15:00")])
    other = await make_service("Épilation", minutes=30)
    await make_practitioner("Sofia", [other])

    found = await slots(client, [facial], MONDAY)

    assert [(s["start"][11:16], s["practitioner_ids"]) for s in found] == [
        ("09:00", [str(camille)]),
        ("14:00", [str(lea)]),
    ]
    only_lea = await slots(client, [facial], MONDAY, practitioner_id=str(lea))
    assert starts(only_lea) == ["14:00"]


async def test_two_services_in_sequence_need_one_practitioner_for_both(
    client: AsyncClient,
) -> None:
    await open_salon()
    facial = await make_service("Soin", minutes=60)
    nails = await make_service("Manucure", minutes=30)
    await make_practitioner("Camille", [facial], hours=[("09:00", "12:00")])
    both = await make_practitioner("Léa", [facial, nails], hours=[("09:00", "11:00")])

    found = await slots(client, [facial, nails], MONDAY)

    assert starts(found) == ["09:00", "09:15", "09:30"]
    assert all(s["practitioner_ids"] == [str(both)] for s in found)
    assert found[0]["end"] == "2027-03-22T10:30:00+01:00"


async def test_a_shared_room_is_used_by_one_practitioner_at_a_time(
    client: AsyncClient,
) -> None:
    await open_salon()
    hammam = await make_resource("Hammam")
    ritual = await make_service("Rituel hammam", minutes=60, resources=(hammam,))
    await make_practitioner("Camille", [ritual], hours=[("09:00", "10:00")])
    await make_practitioner("Léa", [ritual], hours=[("09:00", "10:00")])

    found = await slots(client, [ritual], MONDAY)

    assert len(found) == 1
    assert len(found[0]["practitioner_ids"]) == 2  # either of them, but one booking only


async def test_lead_time_and_horizon(client: AsyncClient) -> None:
    clock.pin(paris(2027, 3, 22, 8))
    await open_salon()
    facial = await make_service(minutes=60)
    await make_practitioner("Camille", [facial])

    today = starts(await slots(client, [facial], MONDAY))
    assert today[0] == "10:00"  # two hours of notice by default
    far = MONDAY + timedelta(days=91)
    assert await slots(client, [facial], far) == []
    assert await slots(client, [facial], MONDAY + timedelta(days=90)) != []


async def test_staff_see_inside_the_lead_time(client: AsyncClient, auth_headers: Any) -> None:
    clock.pin(paris(2027, 3, 22, 8))
    await open_salon()
    facial = await make_service(minutes=60)
    await make_practitioner("Camille", [facial])
    headers = await auth_headers()

    response = await client.get(
        "/api/v1/availability/slots",
        params={"service_ids": str(facial), "date_from": "2027-03-22", "date_to": "2027-03-22"},
        headers=headers,
    )

    assert response.json()["slots"][0]["start"].startswith("2027-03-22T09:00")


async def test_a_service_not_offered_online_has_no_public_slots(client: AsyncClient) -> None:
    await open_salon()
    secret = await make_service(online=False)
    await make_practitioner("Camille", [secret])

    response = await client.get(
        "/api/v1/availability/slots",
        params={"service_ids": str(secret), "date_from": "2027-03-22", "date_to": "2027-03-22"},
    )

    assert response.status_code == 422
    assert response.json()["code"] == "services_not_bookable"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        (
            {"service_ids": "not-a-uuid", "date_from": "2027-03-22", "date_to": "2027-03-22"},
            "validation_error",
        ),
        (
            {
                "service_ids": "00000000-0000-0000-0000-000000000000",
                "date_from": "2027-03-22",
                "date_to": "2027-03-21",
            },
            "invalid_date_range",
        ),
        (
            {
                "service_ids": "00000000-0000-0000-0000-000000000000",
                "date_from": "2027-03-01",
                "date_to": "2027-04-30",
            },
            "invalid_date_range",
        ),
        (
            {
                "service_ids": "00000000-0000-0000-0000-000000000000",
                "date_from": "2027-03-22",
                "date_to": "2027-03-22",
            },
            "services_not_bookable",
        ),
    ],
)
async def test_bad_searches_are_clear_problems(
    client: AsyncClient, params: dict[str, str], code: str
) -> None:
    response = await client.get("/api/v1/availability/slots", params=params)
    assert response.status_code == 422
    assert response.json()["code"] == code


async def test_spring_forward_night_counts_real_time(client: AsyncClient) -> None:
    """On 2027-03-28 Paris skips 02:00-03:00. A practitioner working 01:00-05:00 local has
    three real hours; a 60-minute service from 01:30 ends at 03:30 local."""
    await open_salon([("00:00", "23:59")])
    facial = await make_service(minutes=60)
    await make_practitioner("Nuit", [facial], hours=[("01:00", "05:00")])

    found = await slots(client, [facial], date(2027, 3, 28))

    assert [s["start"] for s in found][:4] == [
        "2027-03-28T01:00:00+01:00",
        "2027-03-28T01:15:00+01:00",
        "2027-03-28T01:30:00+01:00",
        "2027-03-28T01:45:00+01:00",
    ]
    assert found[2]["end"] == "2027-03-28T03:30:00+02:00"
    assert not any("T02:" in s["start"] for s in found)  # that hour does not exist
    assert found[-1]["start"] == "2027-03-28T04:00:00+02:00"
    assert len(found) == 9


async def test_the_day_after_spring_forward_is_in_summer_time(client: AsyncClient) -> None:
    await open_salon()
    facial = await make_service(minutes=60)
    await make_practitioner("Camille", [facial])

    found = await slots(client, [facial], date(2027, 3, 29))

    assert found[0]["start"] == "2027-03-29T09:00:00+02:00"
    assert found[0]["end"] == "2027-03-29T10:00:00+02:00"


async def test_fall_back_night_offers_both_copies_of_the_repeated_hour(
    client: AsyncClient,
) -> None:
    """On 2027-10-31 Paris lives 02:00-03:00 twice. Working 01:00-04:00 local is four real
    hours, and 02:30 happens once in summer time and once in winter time."""
    clock.pin(paris(2027, 10, 20, 8))
    await open_salon([("00:00", "23:59")])
    facial = await make_service(minutes=60)
    await make_practitioner("Nuit", [facial], hours=[("01:00", "04:00")])

    found = [s["start"] for s in await slots(client, [facial], date(2027, 10, 31))]

    assert "2027-10-31T02:30:00+02:00" in found
    assert "2027-10-31T02:30:00+01:00" in found
    assert found[-1] == "2027-10-31T03:00:00+01:00"
    assert len(found) == 13  # 01:00 to 03:00 (winter) every 15 minutes, 4 real hours - 1


async def test_gap_free_slots_can_come_first(client: AsyncClient) -> None:
    await open_salon()
    facial = await make_service(minutes=60)
    await make_practitioner("Camille", [facial], hours=[("09:00", "11:00")])

    found = await slots(client, [facial], MONDAY, order="gap_free_first")

    assert [s["start"][11:16] for s in found if s["gap_free"]] == ["09:00", "10:00"]
    assert starts(found)[:2] == ["09:00", "10:00"]


async def test_a_change_of_hours_is_seen_by_the_next_search(client: AsyncClient) -> None:
    """The engine keeps the configuration in memory; triggers tell it when to reload."""
    await open_salon()
    facial = await make_service(minutes=60)
    await make_practitioner("Camille", [facial])
    assert starts(await slots(client, [facial], MONDAY))[0] == "09:00"

    await add_closure(MONDAY, MONDAY)

    assert await slots(client, [facial], MONDAY) == []
