"""Tills and their sessions on the real PostgreSQL: opened with a float, cash in and out,
closed with the cash counted per denomination and the difference journaled; one open session
per till, even when two desks open it at once; the closings listed."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from app.core.db import unit_of_work
from app.journal import public as journal
from app.sales import service
from app.sales.errors import RegisterAlreadyOpen
from tests.builders import AuthHeaders
from tests.journal.builders import ticket
from tests.sales.helpers import append_ticket, make_register, records, two_rate_ticket, verified

NOON = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _noon() -> None:
    clock.pin(NOON)


async def test_a_session_opens_takes_cash_in_and_out_and_closes_with_its_difference(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    register = await make_register(client, await auth_headers(Role.manager))
    desk = await auth_headers(Role.receptionist)
    base = f"/api/v1/sales/registers/{register}"

    opened = await client.post(f"{base}/open", json={"float_cents": 15000}, headers=desk)
    cash_in = await client.post(
        f"{base}/cash-movements",
        json={"direction": "in", "amount_cents": 5000, "reason": "Monnaie de la banque"},
        headers=desk,
    )
    cash_out = await client.post(
        f"{base}/cash-movements",
        json={"direction": "out", "amount_cents": 2000, "reason": "Achat de café"},
        headers=desk,
    )
    await append_ticket(two_rate_ticket("T-1", NOON), register)  # 81,10 € in cash
    await append_ticket(two_rate_ticket("T-2", NOON, till="Étage"), uuid.uuid4())  # another till
    current = await client.get(base, headers=desk)
    counted = [{"value_cents": 10000, "count": 2}, {"value_cents": 2000, "count": 3}]
    closed = await client.post(f"{base}/close", json={"denominations": counted}, headers=desk)

    assert opened.status_code == cash_in.status_code == cash_out.status_code == 201, opened.text
    assert cash_out.json()["expected_cents"] == 18000
    cash = current.json()["session"]["cash"]
    assert cash == {
        "float_cents": 15000,
        "cash_in_cents": 5000,
        "cash_out_cents": 2000,
        "sales_cash_cents": 8110,
        "expected_cents": 26110,
    }
    assert closed.status_code == 200, closed.text
    assert (closed.json()["expected_cents"], closed.json()["counted_cents"]) == (26110, 26000)
    assert closed.json()["difference_cents"] == -110
    assert closed.json()["closed_at"] is not None
    kinds = [r["kind"] for r in await records()]
    assert kinds == [
        "register_opened",
        "cash_movement",
        "cash_movement",
        "ticket",
        "ticket",
        "register_closed",
    ]
    [close_record] = await records("register_closed")
    assert close_record["payload"]["difference_cents"] == -110
    assert close_record["payload"]["denominations"] == [
        {"value_cents": 10000, "count": 2},
        {"value_cents": 2000, "count": 3},
    ]
    movements = await records("cash_movement")
    assert [m["payload"]["reason"] for m in movements] == ["Monnaie de la banque", "Achat de café"]
    assert all(m["payload"]["actor_id"] for m in movements)
    report = await verified()
    assert report.ok, report.issues


async def test_a_new_session_counts_only_its_own_cash(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    register = await make_register(client, await auth_headers(Role.manager))
    desk = await auth_headers(Role.receptionist)
    base = f"/api/v1/sales/registers/{register}"
    await client.post(f"{base}/open", json={"float_cents": 10000}, headers=desk)
    await append_ticket(two_rate_ticket("T-1", NOON), register)
    exact = [
        {"value_cents": 100, "count": 131},
        {"value_cents": 5000, "count": 1},
        {"value_cents": 10, "count": 1},
    ]
    first = await client.post(f"{base}/close", json={"denominations": exact}, headers=desk)

    again = await client.post(f"{base}/open", json={"float_cents": 12000}, headers=desk)
    current = await client.get(base, headers=desk)

    assert first.json()["difference_cents"] == 0, first.text
    assert again.status_code == 201, again.text
    assert current.json()["session"]["cash"]["expected_cents"] == 12000


async def test_a_till_refuses_what_its_state_does_not_allow(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    register = await make_register(client, manager)
    base = f"/api/v1/sales/registers/{register}"
    movement = {"direction": "in", "amount_cents": 500, "reason": "Fond"}

    closed_move = await client.post(f"{base}/cash-movements", json=movement, headers=manager)
    closed_close = await client.post(f"{base}/close", json={"denominations": []}, headers=manager)
    await client.post(f"{base}/open", json={"float_cents": 0}, headers=manager)
    twice = await client.post(f"{base}/open", json={"float_cents": 0}, headers=manager)
    odd_coin = await client.post(
        f"{base}/close", json={"denominations": [{"value_cents": 300, "count": 1}]}, headers=manager
    )
    unknown = await client.get(f"/api/v1/sales/registers/{uuid.uuid4()}", headers=manager)
    same_name = await client.post(
        "/api/v1/sales/registers", json={"name": "Accueil"}, headers=manager
    )

    assert closed_move.json()["code"] == closed_close.json()["code"] == "register_not_open"
    assert twice.status_code == 409
    assert twice.json()["code"] == "register_already_open"
    assert odd_coin.status_code == 422
    assert unknown.json()["code"] == "register_not_found"
    assert same_name.json()["code"] == "register_name_taken"
    assert [r["kind"] for r in await records()] == ["register_opened"]


@pytest.mark.race
async def test_two_openings_at_once_one_wins(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    register = uuid.UUID(await make_register(client, await auth_headers(Role.manager)))

    async def open_till(float_cents: int) -> str:
        # The register row is not locked here: the partial unique index alone decides.
        try:
            async with unit_of_work() as session:
                till = await service.get_register(session, register)
                await service.open_register(
                    session,
                    till,
                    float_cents=float_cents,
                    actor_id=None,
                )
                await asyncio.sleep(0.05)  # hold the transaction while the other one tries
        except RegisterAlreadyOpen:
            return "refused"
        return "opened"

    results = await asyncio.gather(open_till(1000), open_till(2000))

    assert sorted(results) == ["opened", "refused"]
    assert [r["kind"] for r in await records()] == ["register_opened"]
    assert (await verified()).ok


@pytest.mark.race
async def test_two_desks_opening_one_till_at_once_get_one_session(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    register = await make_register(client, await auth_headers(Role.manager))
    desk = await auth_headers(Role.receptionist)
    url = f"/api/v1/sales/registers/{register}/open"

    answers = await asyncio.gather(
        *(client.post(url, json={"float_cents": 1000 * n}, headers=desk) for n in (1, 2))
    )

    assert sorted(a.status_code for a in answers) == [201, 409]


async def test_the_closings_are_listed_newest_first_with_their_totals(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    days = [NOON - timedelta(days=n) for n in (3, 2, 1)]
    for n, day in enumerate(days):
        with clock.frozen_at(day):
            await append_ticket(ticket(f"T-{n}", day, price_cents=1000 * (n + 1)), uuid.uuid4())
    async with unit_of_work() as session:
        await journal.close_day(session, days[-1].date())
    manager = await auth_headers(Role.manager)

    listed = await client.get("/api/v1/sales/closings", params={"level": "day"}, headers=manager)
    months = await client.get("/api/v1/sales/closings", params={"level": "month"}, headers=manager)

    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [c["period"] for c in items] == ["2026-11-30", "2026-11-29", "2026-11-28"]
    assert [c["totals"]["total_incl_vat_cents"] for c in items] == [3000, 2000, 1000]
    assert items[0]["perpetual_total_cents"] == 6000
    assert months.json()["items"] == []


async def test_a_till_s_x_reading_counts_its_own_tickets_since_the_last_z(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    register = await make_register(client, manager)
    await append_ticket(two_rate_ticket("T-1", NOON), register)
    await append_ticket(two_rate_ticket("T-2", NOON, till="Étage"), uuid.uuid4())

    till = await client.get(f"/api/v1/sales/registers/{register}/x", headers=manager)
    desk = await client.get(
        f"/api/v1/sales/registers/{register}/x", headers=await auth_headers(Role.receptionist)
    )

    assert till.status_code == 200, till.text
    assert till.json()["totals"]["ticket_count"] == 1
    assert till.json()["totals"]["total_incl_vat_cents"] == 8110
    assert till.json()["totals"]["by_tender"] == [{"method": "cash", "amount_cents": 8110}]
    assert till.json()["perpetual_total_cents"] == 2 * 8110  # every till's
    assert desk.status_code == 403
