"""The slot cache is never staler than the last commit: for every kind of change, a search
warmed in the cache, the change made through the API (or the beat task), and the next search
shows it. With the Redis store and with the memory store. These tests commit for real: the
versions move only at commit (docs/performance.md, "Slot cache")."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import update

from app.auth.public import Role
from app.availability import schedule_config
from app.availability.router import SlotOut, SlotsOut
from app.availability.service import find_slots
from app.bookings.tasks import expire_holds
from app.catalog.models import Service
from app.core import cache, clock
from app.core.config import get_settings
from app.core.db import get_sessionmaker
from tests.bookings.salon import make_service, open_salon, paris
from tests.factories.auth import AuthHeaders
from tests.factories.bookings import book_by_staff, hold
from tests.factories.practitioners import make_practitioner
from tests.query_budget import counting

pytestmark = pytest.mark.commits

MONDAY = date(2027, 3, 22)
NINE = "2027-03-22T09:00:00+01:00"


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "redis" and not get_settings().redis.url:
        pytest.skip("no Redis answers on this machine")
    monkeypatch.setenv("CACHE_BACKEND", request.param)
    get_settings.cache_clear()
    cache.memory_store.clear()
    schedule_config.forget()
    yield request.param
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


async def search(
    client: AsyncClient, service: UUID, headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    response = await client.get(
        "/api/v1/availability/slots",
        params={
            "service_ids": str(service),
            "date_from": MONDAY.isoformat(),
            "date_to": MONDAY.isoformat(),
        },
        headers=headers or {},
    )
    assert response.status_code == 200, response.text
    return list(response.json()["slots"])


def starts(found: list[dict[str, Any]]) -> list[str]:
    return [slot["start"][11:16] for slot in found]


class Salon:
    def __init__(self, client: AsyncClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers
        self.massage: UUID
        self.camille: UUID

    async def warm(self, headers: dict[str, str] | None = None) -> list[str]:
        """Two searches; the second answered from the cache (one statement: the versions;
        and the signed-in user's row for staff)."""
        first = await search(self.client, self.massage, headers)
        with counting() as statements:
            second = await search(self.client, self.massage, headers)
        assert second == first
        assert statements.count == (2 if headers else 1), statements
        return starts(second)


@pytest.fixture
async def salon(client: AsyncClient, auth_headers: AuthHeaders, store: str) -> Salon:
    built = Salon(client, await auth_headers(Role.manager))
    await open_salon()
    built.massage = await make_service("Massage", minutes=60, deposit_percent="30")
    built.camille = await make_practitioner("Camille", [built.massage])
    return built


Change = Callable[[Salon], Awaitable[None]]


async def _booking(s: Salon) -> None:
    await book_by_staff(s.client, s.headers, [s.massage], NINE)


async def _hold(s: Salon) -> None:
    assert (await hold(s.client, s.massage))["status"] == "pending_payment"


async def _block(s: Salon) -> None:
    body = {"practitioner_id": str(s.camille), "start": NINE, "end": "2027-03-22T10:00:00+01:00"}
    response = await s.client.post("/api/v1/availability/blocks", json=body, headers=s.headers)
    assert response.status_code == 201, response.text


async def _absence(s: Salon) -> None:
    body = {"start": "2027-03-22T00:00:00+01:00", "end": "2027-03-23T00:00:00+01:00"}
    response = await s.client.post(
        f"/api/v1/practitioners/{s.camille}/absences", json=body, headers=s.headers
    )
    assert response.status_code == 201, response.text


async def _opening_hours(s: Salon) -> None:
    week = [{"weekday": d, "start": "10:00", "end": "16:00"} for d in range(7)]
    response = await s.client.put(
        "/api/v1/availability/opening-hours", json=week, headers=s.headers
    )
    assert response.status_code == 200, response.text


async def _working_hours(s: Salon) -> None:
    week = [{"weekday": d, "start": "14:00", "end": "18:00"} for d in range(7)]
    response = await s.client.put(
        f"/api/v1/practitioners/{s.camille}/working-hours", json=week, headers=s.headers
    )
    assert response.status_code == 200, response.text


async def _closure(s: Salon) -> None:
    body = {"start_date": MONDAY.isoformat(), "end_date": MONDAY.isoformat()}
    response = await s.client.post("/api/v1/availability/closures", json=body, headers=s.headers)
    assert response.status_code == 201, response.text


async def _special_opening(s: Salon) -> None:
    body = {"date": MONDAY.isoformat(), "start": "14:00", "end": "16:00"}
    response = await s.client.post(
        "/api/v1/availability/special-openings", json=body, headers=s.headers
    )
    assert response.status_code == 201, response.text


async def _rules(s: Salon) -> None:
    body = {
        "slot_interval_minutes": 30,
        "min_lead_time_minutes": 120,
        "max_advance_days": 90,
        "hold_minutes": 15,
        "cancellation_notice_hours": 24,
    }
    response = await s.client.put("/api/v1/settings/booking-rules", json=body, headers=s.headers)
    assert response.status_code == 200, response.text


async def _duration(s: Salon) -> None:
    response = await s.client.patch(
        f"/api/v1/services/{s.massage}", json={"duration_minutes": 120}, headers=s.headers
    )
    assert response.status_code == 200, response.text


async def _her_services(s: Salon) -> None:
    response = await s.client.patch(
        f"/api/v1/practitioners/{s.camille}", json={"service_ids": []}, headers=s.headers
    )
    assert response.status_code == 200, response.text


# Each change, and what the morning's starts become (before: 09:00 to 11:00, 13:00 to 17:00).
CHANGES: dict[str, tuple[Change, Callable[[list[str]], bool]]] = {
    "a booking by another client": (_booking, lambda s: "09:00" not in s and "10:00" in s),
    "a hold": (_hold, lambda s: "09:00" not in s and "10:00" in s),
    "a block": (_block, lambda s: "09:00" not in s and "10:00" in s),
    "an absence": (_absence, lambda s: s == []),
    "opening hours": (_opening_hours, lambda s: s[0] == "10:00" and s[-1] == "15:00"),
    "working hours": (_working_hours, lambda s: s[0] == "14:00"),
    "a closure": (_closure, lambda s: s == []),
    "a special opening": (
        _special_opening,
        lambda s: s == ["14:00", "14:15", "14:30", "14:45", "15:00"],
    ),
    "a rule": (_rules, lambda s: "09:15" not in s and "09:30" in s),
    "a service's duration": (_duration, lambda s: "10:15" not in s and s[-1] == "16:00"),
    "a practitioner's services": (_her_services, lambda s: s == []),
}


@pytest.mark.parametrize("change", list(CHANGES))
async def test_the_next_search_shows_each_change(salon: Salon, change: str) -> None:
    make, expected = CHANGES[change]
    before = await salon.warm()
    assert before[0] == "09:00"
    assert "11:00" in before
    assert before[-1] == "17:00"

    await make(salon)

    after = starts(await search(salon.client, salon.massage))
    assert after != before
    assert expected(after), after


async def test_a_new_buffer_keeps_clear_of_a_booking_on_the_next_search(salon: Salon) -> None:
    await book_by_staff(salon.client, salon.headers, [salon.massage], "2027-03-22T11:00:00+01:00")
    assert "10:00" in await salon.warm()

    response = await salon.client.patch(
        f"/api/v1/services/{salon.massage}",
        json={"buffer_after_minutes": 30},
        headers=salon.headers,
    )
    assert response.status_code == 200, response.text

    after = starts(await search(salon.client, salon.massage))
    assert "10:00" not in after  # its cleaning would run into the 11:00 booking
    assert "09:30" in after


async def test_a_hold_that_expires_frees_its_slot_with_or_without_the_task(salon: Salon) -> None:
    await hold(salon.client, salon.massage)
    assert "09:00" not in await salon.warm()

    clock.travel(timedelta(minutes=16))  # nothing committed: the entry dies with the hold
    assert "09:00" in starts(await search(salon.client, salon.massage))
    assert "09:00" in await salon.warm()

    assert await expire_holds() == 1  # the beat task cancels it: a commit, a new version
    assert "09:00" in await salon.warm()
    await hold(salon.client, salon.massage)
    assert "09:00" not in starts(await search(salon.client, salon.massage))


async def test_a_change_rolled_back_is_never_served_and_the_next_real_one_is(
    salon: Salon,
) -> None:
    """The bug of the first version: a transaction changed a service, searched (keeping the
    configuration under the number it had just bumped) and rolled back; the next real change
    reached the same number, and the rolled-back service came back from memory."""
    assert (await salon.warm())[-1] == "17:00"

    async with get_sessionmaker()() as session:
        await session.execute(
            update(Service).where(Service.id == salon.massage).values(duration_minutes=30)
        )
        inside = await find_slots(
            session, service_ids=[salon.massage], date_from=MONDAY, date_to=MONDAY
        )
        assert inside[-1].start.strftime("%H:%M") == "17:30"  # it sees its own change
        await session.rollback()

    assert (await salon.warm())[-1] == "17:00"  # the old state, correctly
    response = await salon.client.patch(
        f"/api/v1/services/{salon.massage}", json={"duration_minutes": 120}, headers=salon.headers
    )
    assert response.status_code == 200, response.text
    assert (await salon.warm())[-1] == "16:00"


async def test_a_change_rolled_back_then_a_real_one_with_no_search_between(salon: Salon) -> None:
    await salon.warm()
    async with get_sessionmaker()() as session:
        await session.execute(
            update(Service).where(Service.id == salon.massage).values(duration_minutes=30)
        )
        await find_slots(session, service_ids=[salon.massage], date_from=MONDAY, date_to=MONDAY)
        await session.rollback()

    response = await salon.client.patch(
        f"/api/v1/services/{salon.massage}", json={"duration_minutes": 120}, headers=salon.headers
    )
    assert response.status_code == 200, response.text
    assert (await salon.warm())[-1] == "16:00"


async def test_the_cached_answer_is_the_models_json(salon: Salon) -> None:
    response = await salon.client.get(
        "/api/v1/availability/slots",
        params={
            "service_ids": str(salon.massage),
            "date_from": "2027-03-22",
            "date_to": "2027-03-28",
        },
    )
    warm = await salon.client.get(
        "/api/v1/availability/slots",
        params={
            "service_ids": str(salon.massage),
            "date_from": "2027-03-22",
            "date_to": "2027-03-28",
        },
    )
    async with get_sessionmaker()() as session:
        found = await find_slots(
            session, service_ids=[salon.massage], date_from=MONDAY, date_to=date(2027, 3, 28)
        )
    expected = SlotsOut(
        slots=[
            SlotOut(
                start=f.start, end=f.end, practitioner_ids=f.practitioner_ids, gap_free=f.gap_free
            )
            for f in found
        ]
    )
    assert response.content == warm.content == expected.model_dump_json().encode()
    assert len(found) > 50


async def test_the_lead_time_moves_with_the_clock_on_a_cached_answer(salon: Salon) -> None:
    clock.pin(paris(2027, 3, 22, 8))  # Monday 08:00: the lead time (2 h) hides 09:00 and 09:45
    found = await salon.warm()
    assert found[0] == "10:00"
    clock.pin(paris(2027, 3, 22, 9))
    assert starts(await search(salon.client, salon.massage))[0] == "11:00"


async def test_a_booking_cancelled_or_moved_shows_on_the_next_search(salon: Salon) -> None:
    booking = await book_by_staff(salon.client, salon.headers, [salon.massage], NINE)
    assert "09:00" not in await salon.warm()

    moved = await salon.client.post(
        f"/api/v1/bookings/{booking['id']}/reschedule",
        json={"start": "2027-03-22T14:00:00+01:00"},
        headers=salon.headers,
    )
    assert moved.status_code == 200, moved.text
    after = await salon.warm()
    assert "09:00" in after
    assert "14:00" not in after

    cancelled = await salon.client.post(
        f"/api/v1/bookings/{booking['id']}/cancel", json={}, headers=salon.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert "14:00" in starts(await search(salon.client, salon.massage))


async def test_a_no_show_frees_its_time_on_the_next_search(
    salon: Salon, auth_headers: AuthHeaders
) -> None:
    clock.pin(paris(2027, 3, 22, 8, 30))  # staff search: no lead time
    salon.headers = await auth_headers(Role.manager)  # a token of this day
    booking = await book_by_staff(salon.client, salon.headers, [salon.massage], NINE)
    assert "09:00" not in await salon.warm(salon.headers)

    marked = await salon.client.post(
        f"/api/v1/bookings/{booking['id']}/status",
        json={"status": "no_show"},
        headers=salon.headers,
    )
    assert marked.status_code == 200, marked.text
    assert "09:00" in starts(await search(salon.client, salon.massage, salon.headers))
