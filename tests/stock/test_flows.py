"""Stock following the salon's day: a completed booking consumes its recipe once (through the
real outbox), a count finds a difference and reports it, a low stock e-mails the salon once
per crossing, a purchase order arrives in several deliveries."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.bookings import public as bookings
from app.core import clock, outbox
from app.core.db import unit_of_work
from app.integrations.console import console
from app.notifications.models import Message
from app.stock.models import StockMovement
from tests.bookings.salon import book_by_staff, facial_with_camille, paris
from tests.builders import AuthHeaders, deliver_messages
from tests.stock.helpers import (
    deliver,
    desk,
    item,
    ledger_totals,
    make_product,
    make_supplier,
    order,
    receive,
    set_up,
)


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


@pytest.fixture
async def manager(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.manager)


@pytest.fixture
async def front_desk(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.receptionist)


async def treatments(session: AsyncSession, product_id: UUID) -> list[tuple[int, Any, Any]]:
    rows = await session.execute(
        select(
            StockMovement.quantity, StockMovement.reference_kind, StockMovement.reference_id
        ).where(StockMovement.product_id == product_id, StockMovement.cause == "treatment")
    )
    return [tuple(row) for row in rows]


async def test_a_completed_facial_consumes_its_serum_once_even_when_the_event_comes_twice(
    client: AsyncClient,
    manager: dict[str, str],
    front_desk: dict[str, str],
    session: AsyncSession,
    auth_headers: AuthHeaders,
) -> None:
    facial, camille = await facial_with_camille()
    serum = await make_product("Sérum professionnel 50 ml")
    await set_up(client, manager, serum, unit="ml", pack_size=50)
    await deliver(client, manager, serum, 2, 2500)  # 100 ml at 0,50 € the ml
    recipe = await client.put(
        f"/api/v1/stock/recipes/{facial}",
        json={"lines": [{"product_id": str(serum), "quantity": 5}]},
        headers=manager,
    )
    booking = await book_by_staff(client, front_desk, [facial], "2027-03-22T10:00:00+01:00")
    clock.pin(paris(2027, 3, 22, 11, 5))
    front_desk = await auth_headers(Role.receptionist)  # a fresh login on the day

    done = await client.post(
        f"/api/v1/bookings/{booking['id']}/status", json={"status": "completed"}, headers=front_desk
    )
    before_outbox = await ledger_totals(session, serum)
    published = await session.scalar(
        select(outbox.OutboxEvent.payload).where(outbox.OutboxEvent.topic == "bookings.completed")
    )
    await deliver_messages()
    async with unit_of_work() as replay:  # the same event delivered again
        await outbox.enqueue(
            replay,
            bookings.TOPIC_COMPLETED,
            {
                "booking_id": booking["id"],
                "completed_at": clock.utcnow(),
                "services": [{"service_id": facial, "practitioner_id": camille}],
            },
        )
    await deliver_messages()

    assert recipe.status_code == 200, recipe.text
    assert done.json()["status"] == "completed"
    assert before_outbox == (100, 5000)  # consumed by the outbox handler, after the commit
    assert published is not None
    assert published["booking_id"] == booking["id"]
    assert published["services"] == [{"service_id": str(facial), "practitioner_id": str(camille)}]
    assert await treatments(session, serum) == [(-5, "booking", UUID(booking["id"]))]
    assert await ledger_totals(session, serum) == (95, 4750)
    failed = await session.scalars(
        select(outbox.OutboxEvent).where(outbox.OutboxEvent.status != "done")
    )
    assert list(failed) == []


async def test_a_treatment_short_of_stock_takes_what_is_there_and_says_so(
    client: AsyncClient,
    manager: dict[str, str],
    front_desk: dict[str, str],
    session: AsyncSession,
    auth_headers: AuthHeaders,
) -> None:
    facial, _ = await facial_with_camille()
    serum = await make_product("Sérum")
    await set_up(client, manager, serum, unit="ml", pack_size=1)
    await deliver(client, manager, serum, 3, 50)
    await client.put(
        f"/api/v1/stock/recipes/{facial}",
        json={"lines": [{"product_id": str(serum), "quantity": 5}]},
        headers=manager,
    )
    booking = await book_by_staff(client, front_desk, [facial], "2027-03-22T10:00:00+01:00")
    clock.pin(paris(2027, 3, 22, 11, 5))
    front_desk = await auth_headers(Role.receptionist)  # a fresh login on the day

    await client.post(
        f"/api/v1/bookings/{booking['id']}/status", json={"status": "completed"}, headers=front_desk
    )
    await deliver_messages()

    used = await session.scalar(select(StockMovement).where(StockMovement.cause == "treatment"))
    assert used is not None
    assert (used.quantity, used.reason) == (-3, "5 asked, 3 on hand")
    assert await ledger_totals(session, serum) == (0, 0)


async def test_a_count_books_its_differences_and_reports_their_value(
    client: AsyncClient, manager: dict[str, str], front_desk: dict[str, str], session: AsyncSession
) -> None:
    shampoo, cream, mask = [await make_product(n) for n in ("Shampoing", "Crème", "Masque")]
    await deliver(client, manager, shampoo, 10, 600)
    await deliver(client, manager, cream, 4, 1500)
    await deliver(client, manager, mask, 2, 1000)

    opened = await client.post(
        "/api/v1/stock/counts", json={"note": "Fin de mois"}, headers=manager
    )
    count_id = opened.json()["id"]
    second = await client.post("/api/v1/stock/counts", json={}, headers=manager)
    await desk(client, front_desk, "sale", shampoo, 1)  # sold before the shelf was counted
    entered = await client.put(
        f"/api/v1/stock/counts/{count_id}/entries",
        json={
            "entries": [
                {"product_id": str(shampoo), "counted": 7},
                {"product_id": str(cream), "counted": 5},
            ]
        },
        headers=manager,
    )
    await desk(client, front_desk, "sale", shampoo, 1)  # sold after it was counted
    report = await client.post(f"/api/v1/stock/counts/{count_id}/close", headers=manager)
    again = await client.post(f"/api/v1/stock/counts/{count_id}/close", headers=manager)

    assert opened.status_code == 201, opened.text
    assert {line["expected"] for line in opened.json()["lines"]} == {10, 4, 2}
    assert second.json()["code"] == "stock_count_already_open"
    assert entered.status_code == 200, entered.text
    assert report.status_code == 200, report.text
    body = report.json()
    lines = {line["product_id"]: line for line in body["lines"]}
    assert (lines[str(shampoo)]["expected"], lines[str(shampoo)]["counted"]) == (9, 7)
    assert (lines[str(shampoo)]["difference"], lines[str(shampoo)]["value_cents"]) == (-2, -1200)
    assert (lines[str(cream)]["difference"], lines[str(cream)]["value_cents"]) == (1, 1500)
    assert lines[str(mask)]["counted"] is None  # not counted: left alone
    assert (body["counted"], body["not_counted"], body["difference_value_cents"]) == (2, 1, 300)
    assert body["status"] == "closed"
    assert again.json()["code"] == "stock_count_closed"
    assert (await item(session, shampoo)).on_hand == 6  # 7 found, then one more sold
    assert (await item(session, cream)).on_hand == 5
    assert (await item(session, mask)).on_hand == 2
    read = await client.get(f"/api/v1/stock/counts/{count_id}/report", headers=manager)
    assert read.json() == body


async def _low_messages(session: AsyncSession) -> list[Message]:
    rows = await session.scalars(
        select(Message)
        .where(Message.dedupe_key.like("stock-low:%"))
        .order_by(Message.created_at)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def test_a_low_stock_emails_the_salon_once_per_crossing(
    client: AsyncClient, manager: dict[str, str], front_desk: dict[str, str], session: AsyncSession
) -> None:
    cream = await make_product("Crème de nuit", brand="Maison Lila")
    await set_up(client, manager, cream, low_threshold=2)
    await deliver(client, manager, cream, 5, 900)

    await desk(client, front_desk, "sale", cream, 3)  # 5 -> 2: crossed
    await desk(client, front_desk, "sale", cream, 1)  # 2 -> 1: still low, no second e-mail
    first = await _low_messages(session)
    await deliver(client, manager, cream, 4, 900)  # 1 -> 5: back above
    listed = await client.get("/api/v1/stock/items", params={"low": "true"}, headers=front_desk)
    await desk(client, front_desk, "breakage", cream, 3)  # 5 -> 2: crossed again
    both = await _low_messages(session)
    await deliver_messages()

    assert len(first) == 1
    assert listed.json()["items"] == []
    assert len(both) == 2
    assert {m.recipient for m in both} == {"bonjour@serenaia.example"}
    sent = [e for e in console.emails if e.subject == "Stock bas : Crème de nuit"]
    assert len(sent) == 2
    assert "Il reste 2 pièces de Crème de nuit (Maison Lila) en stock" in sent[0].text
    assert "seuil d'alerte de 2 pièces" in sent[0].text


async def test_a_threshold_set_under_the_stock_already_there_sends_nothing(
    client: AsyncClient, manager: dict[str, str], front_desk: dict[str, str], session: AsyncSession
) -> None:
    cream = await make_product()
    await deliver(client, manager, cream, 2, 900)

    set_low = await set_up(client, manager, cream, low_threshold=3)
    await desk(client, front_desk, "sale", cream, 1)

    assert set_low["low"] is True
    assert await _low_messages(session) == []


async def test_a_purchase_order_arrives_in_several_deliveries_at_its_cost(
    client: AsyncClient, manager: dict[str, str], session: AsyncSession
) -> None:
    shampoo, oil = await make_product("Shampoing"), await make_product("Huile")
    supplier = await make_supplier(client, manager)
    made = await order(client, manager, [(shampoo, 6, 700), (oil, 2, 1900)], supplier)

    first = await receive(client, manager, made["id"], [(shampoo, 4)])
    too_many = await receive(client, manager, made["id"], [(shampoo, 3)])
    last = await client.post(
        f"/api/v1/stock/purchase-orders/{made['id']}/receipts",
        json={
            "lines": [
                {"product_id": str(shampoo), "quantity": 2},
                {"product_id": str(oil), "quantity": 2, "unit_cost_cents": 2000},
            ]
        },
        headers=manager,
    )
    closed = await receive(client, manager, made["id"], [(oil, 1)])

    assert (made["status"], made["total_cents"]) == ("ordered", 8000)
    assert first.json()["status"] == "partially_received"
    assert [line["received_quantity"] for line in first.json()["lines"]] == [4, 0]
    assert too_many.json()["code"] == "over_receipt"
    assert last.json()["status"] == "received"
    assert closed.json()["code"] == "purchase_order_closed"
    deliveries = await session.execute(
        select(StockMovement.product_id, StockMovement.quantity, StockMovement.value_cents)
        .where(StockMovement.cause == "delivery")
        .order_by(StockMovement.at, StockMovement.product_id)
    )
    assert sorted(tuple(row) for row in deliveries) == sorted(
        [(shampoo, 4, 2800), (shampoo, 2, 1400), (oil, 2, 4000)]
    )
    assert await ledger_totals(session, oil) == (2, 4000)


async def test_a_cancelled_order_keeps_what_arrived(
    client: AsyncClient, manager: dict[str, str], session: AsyncSession
) -> None:
    shampoo = await make_product()
    made = await order(client, manager, [(shampoo, 6, 700)])
    await receive(client, manager, made["id"], [(shampoo, 1)])

    cancelled = await client.post(
        f"/api/v1/stock/purchase-orders/{made['id']}/cancel", headers=manager
    )
    late = await receive(client, manager, made["id"], [(shampoo, 1)])

    assert cancelled.json()["status"] == "cancelled"
    assert late.json()["code"] == "purchase_order_closed"
    assert await ledger_totals(session, shampoo) == (1, 700)


async def test_a_recipe_for_an_unknown_service_or_product_is_a_404(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    facial, _ = await facial_with_camille()

    no_service = await client.put(
        f"/api/v1/stock/recipes/{uuid4()}", json={"lines": []}, headers=manager
    )
    no_product = await client.put(
        f"/api/v1/stock/recipes/{facial}",
        json={"lines": [{"product_id": str(uuid4()), "quantity": 1}]},
        headers=manager,
    )

    assert no_service.json()["code"] == "stock_service_not_found"
    assert no_product.json()["code"] == "stock_product_not_found"


async def test_a_receptionist_may_not_adjust_count_or_order(
    client: AsyncClient, front_desk: dict[str, str]
) -> None:
    product = await make_product()
    answers = [
        await client.post(
            "/api/v1/stock/adjustments",
            json={"product_id": str(product), "quantity": 1, "reason": "x"},
            headers=front_desk,
        ),
        await client.post("/api/v1/stock/counts", json={}, headers=front_desk),
        await client.get("/api/v1/stock/suppliers", headers=front_desk),
        await client.put(f"/api/v1/stock/items/{product}", json={}, headers=front_desk),
    ]

    assert [a.status_code for a in answers] == [403, 403, 403, 403]
