"""The stock ledger on the real database: every kind of movement, the weighted average cost
and its one rounding rule, a ledger PostgreSQL will not let anyone edit, and the last unit
sold twice at once."""

from __future__ import annotations

import asyncio
from uuid import UUID, uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core.db import unit_of_work
from app.stock import public as stock
from app.stock.models import StockMovement
from tests.builders import AuthHeaders
from tests.stock.helpers import (
    deliver,
    desk,
    item,
    ledger_totals,
    make_product,
    set_up,
)


@pytest.fixture
async def manager(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.manager)


@pytest.fixture
async def front_desk(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.receptionist)


async def causes(session: AsyncSession, product_id: UUID) -> list[tuple[str, int, int]]:
    rows = await session.execute(
        select(StockMovement.cause, StockMovement.quantity, StockMovement.value_cents)
        .where(StockMovement.product_id == product_id)
        .order_by(StockMovement.at, StockMovement.id)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_every_kind_of_movement_moves_the_stock_and_the_ledger_adds_up(
    client: AsyncClient,
    manager: dict[str, str],
    front_desk: dict[str, str],
    session: AsyncSession,
) -> None:
    cream = await make_product("Crème riche")
    await deliver(client, manager, cream, 10, 900)  # 10 at 9,00 €
    ticket = {"reference_kind": "ticket", "reference_id": str(uuid4())}

    sold = await desk(client, front_desk, "sale", cream, 2, **ticket)
    back = await desk(client, front_desk, "return", cream, 1, **ticket)
    spoilt = await desk(client, front_desk, "return", cream, 1, resellable=False, **ticket)
    used = await desk(client, front_desk, "treatment", cream, 1)
    broken = await desk(client, front_desk, "breakage", cream, 1, reason="Pot fêlé")
    adjusted = await client.post(
        "/api/v1/stock/adjustments",
        json={"product_id": str(cream), "quantity": -1, "reason": "Testeur pour la vitrine"},
        headers=manager,
    )
    opened = await client.post(
        "/api/v1/stock/counts", json={"product_ids": [str(cream)]}, headers=manager
    )
    count_id = opened.json()["id"]
    await client.put(
        f"/api/v1/stock/counts/{count_id}/entries",
        json={"entries": [{"product_id": str(cream), "counted": 5}]},
        headers=manager,
    )
    closed = await client.post(f"/api/v1/stock/counts/{count_id}/close", headers=manager)

    for answer in (sold, back, spoilt, used, broken, adjusted, opened):
        assert answer.status_code == 201, answer.text
    assert closed.status_code == 200, closed.text
    assert [m["cause"] for m in spoilt.json()["movements"]] == ["return", "breakage"]
    assert await causes(session, cream) == [
        ("delivery", 10, 9000),
        ("sale", -2, -1800),
        ("return", 1, 900),
        ("return", 1, 900),
        ("breakage", -1, -900),  # the unsellable return, written off at what it brought
        ("treatment", -1, -900),
        ("breakage", -1, -900),
        ("adjustment", -1, -900),
        ("count", -1, -900),  # 6 expected, 5 found
    ]
    stocked = await item(session, cream)
    assert (stocked.on_hand, stocked.value_cents) == (5, 4500)
    assert await ledger_totals(session, cream) == (5, 4500)
    listed = await client.get(
        "/api/v1/stock/movements", params={"product_id": str(cream)}, headers=front_desk
    )
    newest = listed.json()["items"][0]
    assert (newest["cause"], newest["on_hand_after"], newest["value_after_cents"]) == (
        "count",
        5,
        4500,
    )
    assert listed.json()["items"][-1]["unit_cost_cents"] == 900


async def test_the_average_cost_follows_deliveries_at_different_costs(
    client: AsyncClient, manager: dict[str, str], front_desk: dict[str, str], session: AsyncSession
) -> None:
    serum = await make_product("Sérum éclat")

    await deliver(client, manager, serum, 10, 800)
    await deliver(client, manager, serum, 10, 1000)
    averaged = (await client.get(f"/api/v1/stock/items/{serum}", headers=front_desk)).json()
    await desk(client, front_desk, "sale", serum, 3)
    after_sale = (await client.get(f"/api/v1/stock/items/{serum}", headers=front_desk)).json()
    await deliver(client, manager, serum, 3, 1300)
    third = (await client.get(f"/api/v1/stock/items/{serum}", headers=front_desk)).json()

    assert (averaged["on_hand"], averaged["value_cents"]) == (20, 18000)
    assert averaged["average_pack_cost_cents"] == 900
    assert (after_sale["on_hand"], after_sale["value_cents"]) == (17, 15300)  # 3 at 9,00 €
    assert (third["on_hand"], third["value_cents"]) == (20, 19200)
    assert third["average_pack_cost_cents"] == 960
    value = (await client.get("/api/v1/stock/value", headers=front_desk)).json()
    assert value == {"products": 1, "value_cents": 19200, "currency": "EUR"}
    assert await stock.stock_value(session) == stock.StockValue(1, 19200)


async def test_thirds_round_half_up_and_the_stock_value_never_drifts(
    client: AsyncClient, manager: dict[str, str], front_desk: dict[str, str], session: AsyncSession
) -> None:
    balm = await make_product("Baume lèvres")
    await set_up(client, manager, balm, unit="piece", pack_size=3)
    await deliver(client, manager, balm, 1, 1000)  # one pack of 3 at 10,00 €

    for _ in range(3):
        used = await desk(client, front_desk, "treatment", balm, 1)
        assert used.status_code == 201, used.text

    values = [v for cause, _, v in await causes(session, balm) if cause == "treatment"]
    assert values == [-333, -334, -333]  # 333.33, then 333.5 (half up), then what is left
    assert await ledger_totals(session, balm) == (0, 0)


async def test_a_sale_of_more_than_is_on_hand_is_refused_and_changes_nothing(
    client: AsyncClient, manager: dict[str, str], front_desk: dict[str, str], session: AsyncSession
) -> None:
    oil = await make_product("Huile sèche")
    await deliver(client, manager, oil, 2, 1500)

    refused = await desk(client, front_desk, "sale", oil, 3)

    assert refused.status_code == 409
    assert refused.json()["code"] == "insufficient_stock"
    assert (refused.json()["on_hand"], refused.json()["asked"]) == (2, 3)
    assert await ledger_totals(session, oil) == (2, 3000)


async def test_a_product_allowed_below_zero_sells_without_stock_and_carries_no_value(
    client: AsyncClient, manager: dict[str, str], front_desk: dict[str, str], session: AsyncSession
) -> None:
    soap = await make_product("Savon")
    await set_up(client, manager, soap, allow_negative=True)

    sold = await desk(client, front_desk, "sale", soap, 2)
    await deliver(client, manager, soap, 5, 200)

    assert sold.status_code == 201, sold.text
    stocked = await item(session, soap)
    assert (stocked.on_hand, stocked.value_cents) == (3, 600)  # the 2 sold carry no value


async def test_postgresql_refuses_to_edit_a_movement(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    cream = await make_product()
    await deliver(client, manager, cream, 1, 900)

    with pytest.raises(DBAPIError, match="never edited"):
        async with unit_of_work() as session:
            await session.execute(update(StockMovement).values(quantity=99))


async def test_the_stock_row_cannot_go_below_zero_even_in_sql(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    cream = await make_product()
    await deliver(client, manager, cream, 1, 900)

    with pytest.raises(DBAPIError, match="on_hand_not_negative"):
        async with unit_of_work() as session:
            await session.execute(
                text("UPDATE stock_items SET on_hand = -1, value_cents = 0 WHERE product_id = :p"),
                {"p": cream},
            )


@pytest.mark.race
async def test_two_tills_selling_the_last_unit_at_once_sell_it_once(
    client: AsyncClient, manager: dict[str, str], session: AsyncSession
) -> None:
    cream = await make_product()
    await deliver(client, manager, cream, 1, 900)

    async def sell() -> str:
        try:
            async with unit_of_work() as till:
                await stock.record_sale(
                    till,
                    [stock.StockLine(cream, 1)],
                    reference_kind="ticket",
                    reference_id=uuid4(),
                    actor_user_id=None,
                )
                await asyncio.sleep(0.05)  # hold the row while the other till waits
        except stock.InsufficientStock:
            return "refused"
        return "sold"

    outcomes = await asyncio.gather(sell(), sell())

    assert sorted(outcomes) == ["refused", "sold"]
    stocked = await item(session, cream)
    assert (stocked.on_hand, stocked.value_cents) == (0, 0)
    assert await ledger_totals(session, cream) == (0, 0)


async def test_the_till_reads_levels_and_records_a_sale_and_a_return_of_packs(
    client: AsyncClient, manager: dict[str, str], session: AsyncSession
) -> None:
    serum = await make_product("Sérum 30 ml")
    await set_up(client, manager, serum, unit="ml", pack_size=30)
    await deliver(client, manager, serum, 4, 1200)  # 4 bottles: 120 ml
    ticket = uuid4()

    async with unit_of_work() as till:
        sold = await stock.record_sale(
            till,
            [stock.StockLine(serum, 2)],
            reference_kind="ticket",
            reference_id=ticket,
            actor_user_id=None,
        )
        back = await stock.record_return(
            till,
            [stock.StockLine(serum, 1)],
            resellable=True,
            reference_kind="ticket",
            reference_id=ticket,
            actor_user_id=None,
        )
        levels = await stock.stock_levels(till, [serum, uuid4()])

    assert [(m.quantity, m.value_cents) for m in sold] == [(-60, -2400)]
    assert [(m.quantity, m.value_cents) for m in back] == [(30, 1200)]
    assert list(levels) == [serum]
    assert (levels[serum].on_hand, levels[serum].value_cents, levels[serum].unit) == (
        90,
        3600,
        "ml",
    )


async def test_an_unknown_product_is_a_404(client: AsyncClient, front_desk: dict[str, str]) -> None:
    answer = await desk(client, front_desk, "sale", uuid4(), 1)

    assert answer.status_code == 404
    assert answer.json()["code"] == "stock_product_not_found"


async def test_the_unit_of_a_product_with_movements_cannot_change(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    cream = await make_product()
    await deliver(client, manager, cream, 1, 900)

    changed = await client.put(f"/api/v1/stock/items/{cream}", json={"unit": "g"}, headers=manager)

    assert changed.status_code == 409
    assert changed.json()["code"] == "stock_unit_locked"
