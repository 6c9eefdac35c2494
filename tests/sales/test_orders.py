"""The till on the real PostgreSQL: a booking's services with their online deposit and two
products, paid by gift card, card reader and cash with change; a return by credit ticket;
the stock after each step; the day's Z matching the tickets."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.core.db import unit_of_work
from app.core.outbox import OutboxEvent
from app.journal import public as journal
from tests.builders import AuthHeaders
from tests.factories.core import paris
from tests.factories.giftcards import sell_gift_card
from tests.fakes.server import FakeProviders
from tests.sales.helpers import records, verified
from tests.sales.orders_helpers import (
    CREAM_EAN,
    booked_and_deposit_paid,
    complete,
    new_order,
    on_hand,
    open_till,
    pair_reader,
    reader_pays,
    receipt,
    stocked,
    tender,
)


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


async def test_a_mixed_order_is_paid_by_gift_card_reader_and_cash_then_returned_and_closed(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    desk = await auth_headers(Role.receptionist)
    booking = await booked_and_deposit_paid(client, fakes)
    serum = await stocked(client, manager, "Sérum éclat", 2500, 10, barcode=CREAM_EAN)
    book = await stocked(client, manager, "Livre « Rituels »", 1055, 5, vat="5.50")
    card = (await sell_gift_card(client, manager, 5000)).json()
    clock.pin(paris(2027, 3, 22, 10, 30))  # the visit is over; the staff log in
    manager = await auth_headers(Role.manager)
    desk = await auth_headers(Role.receptionist)
    register = await open_till(client, manager)
    reader = await pair_reader(client, manager)

    order = await new_order(
        client,
        desk,
        booking_id=booking["id"],
        lines=[
            {"kind": "product", "barcode": CREAM_EAN, "quantity": 2},
            {"kind": "product", "product_id": str(book)},
        ],
    )

    # 90 + 60 + 2 x 25 + 10,55 = 210,55 €, of which 27 € paid online.
    assert (order["total_cents"], order["prepaid_cents"], order["due_cents"]) == (
        21055,
        2700,
        18355,
    )
    assert [(line["label"], line["quantity"], line["vat_rate"]) for line in order["lines"]] == [
        ("Massage", 1, "20.00"),
        ("Soin visage", 1, "20.00"),
        ("Maison Lila — Sérum éclat", 2, "20.00"),
        ("Maison Lila — Livre « Rituels »", 1, "5.50"),
    ]
    assert order["vat"] == [
        {"rate": "5.50", "base_cents": 1000, "vat_cents": 55},
        {"rate": "20.00", "base_cents": 16667, "vat_cents": 3333},
    ]
    assert order["total_excl_vat_cents"] == 17667
    early = await client.post(f"/api/v1/sales/orders/{order['id']}/complete", headers=desk)
    assert early.status_code == 409
    assert early.json()["code"] == "order_not_paid"

    by_card = await tender(
        client, desk, order["id"], method="gift_card", gift_card_code=card["code"]
    )
    assert (by_card["amount_cents"], by_card["due_cents"]) == (5000, 13355)
    on_reader = await tender(
        client, desk, order["id"], method="sumup_terminal", amount_cents=10000, reader_id=reader
    )
    assert on_reader["payment_status"] == "pending"
    waiting = await client.post(f"/api/v1/sales/orders/{order['id']}/complete", headers=desk)
    assert waiting.json()["code"] == "payment_in_progress"
    await reader_pays(client, session, fakes, on_reader["payment_id"])
    in_cash = await tender(client, desk, order["id"], method="cash", amount_cents=5000)
    assert (in_cash["amount_cents"], in_cash["change_cents"], in_cash["due_cents"]) == (
        3355,
        1645,
        0,
    )
    assert (await on_hand(client, manager, serum), await on_hand(client, manager, book)) == (10, 5)

    ticket = await complete(client, desk, order["id"])
    again = await complete(client, desk, order["id"])

    assert ticket["number"] == "T2027-000001"
    assert again == ticket
    assert (ticket["total_cents"], ticket["change_cents"]) == (21055, 1645)
    assert (await on_hand(client, manager, serum), await on_hand(client, manager, book)) == (8, 4)
    seen = await client.get(f"/api/v1/bookings/{booking['id']}", headers=desk)
    assert seen.json()["status"] == "completed"
    note = await receipt(client, desk, ticket["id"])
    assert note["number"] == "T2027-000001"
    assert note["client_name"] == "Hélène Dupont"
    assert note["till"] == "Accueil"
    assert [(t["method"], t["amount_cents"]) for t in note["tenders"]] == [
        ("deposit", 2700),
        ("gift_card", 5000),
        ("card", 10000),
        ("cash", 5000),
    ]
    assert note["change_cents"] == 1645
    assert [line["practitioners"] for line in note["lines"]] == [["Camille"], ["Camille"], [], []]
    text = "\n".join(note["text"])
    assert "Rendu : 16,45\u00a0€" in text
    assert "Total TTC : 210,55\u00a0€" in text
    assert "Client : Hélène Dupont" in text
    copy = await receipt(client, desk, ticket["id"])
    assert copy["duplicate"] == {"count": 1, "mention": "DUPLICATA 1"}

    serum_line = next(
        line
        for line in (await _order(client, desk, order["id"]))["lines"]
        if line["product_id"] == str(serum)
    )
    returned = await client.post(
        f"/api/v1/sales/tickets/{ticket['id']}/refund",
        json={"lines": [{"line_id": serum_line["id"], "quantity": 1}], "reason": "Allergie"},
        headers=desk,
    )

    assert returned.status_code == 201, returned.text
    credit = returned.json()
    assert credit["ticket"]["number"] == "TA2027-000001"
    assert credit["corrects"] == {"id": ticket["id"], "number": "T2027-000001"}
    assert credit["amount_cents"] == 2500
    assert [(r["method"], r["amount_cents"]) for r in credit["refunds"]] == [("cash", 2500)]
    assert await on_hand(client, manager, serum) == 9
    avoir = await receipt(client, desk, credit["ticket"]["id"])
    assert avoir["corrects"] == "T2027-000001"
    assert avoir["total_incl_vat_cents"] == -2500
    till = await client.get(f"/api/v1/sales/registers/{register}", headers=desk)
    # The float, the cash kept for the order (50 € less 16,45 € change), 25 € given back.
    assert till.json()["session"]["cash"]["expected_cents"] == 10000 + 3355 - 2500
    again_too_many = await client.post(
        f"/api/v1/sales/tickets/{ticket['id']}/refund",
        json={"lines": [{"line_id": serum_line["id"], "quantity": 2}], "reason": "Allergie"},
        headers=desk,
    )
    assert again_too_many.status_code == 422
    assert again_too_many.json()["code"] == "nothing_to_return"

    async with unit_of_work() as work:
        [z] = await journal.close_day(work, paris(2027, 3, 22, 10).date())
    closing = next(r for r in await records() if r["kind"] == "closing_day")
    totals = closing["payload"]["totals"]
    assert totals["ticket_count"] == 2
    assert totals["total_incl_vat_cents"] == 21055 - 2500
    assert {t["method"]: t["amount_cents"] for t in totals["by_tender"]} == {
        "card": 10000,
        "cash": 3355 - 2500,
        "deposit": 2700,
        "gift_card": 5000,
    }
    assert (await verified()).ok
    assert z.kind == "closing_day"
    events = (
        await session.scalars(
            select(OutboxEvent.payload)
            .where(
                OutboxEvent.topic == "sales.ticket_issued",
                OutboxEvent.subscriber == "stock.consume_on_ticket",
            )
            # A pinned clock ties created_at: ids (UUIDv7) give the order they were written.
            .order_by(OutboxEvent.created_at, OutboxEvent.id)
        )
    ).all()
    sold, given_back = [dict(e) for e in events]
    assert (sold["number"], sold["total_incl_vat_cents"], sold["booking_id"]) == (
        "T2027-000001",
        21055,
        booking["id"],
    )
    assert [(t["method"], t["amount_cents"]) for t in sold["tenders"]] == [
        ("deposit", 2700),
        ("gift_card", 5000),
        ("card", 10000),
        ("cash", 3355),
    ]
    assert [(line["kind"], line["amount_excl_vat_cents"]) for line in sold["lines"]] == [
        ("service", 7500),
        ("service", 5000),
        ("product", 4167),
        ("product", 1000),
    ]
    assert (given_back["kind"], given_back["corrects_number"]) == ("credit_ticket", "T2027-000001")
    day = {"date_from": "2027-03-22", "date_to": "2027-03-22"}
    by_product = await client.get(
        "/api/v1/reports/sales", params=day | {"group_by": "product"}, headers=manager
    )
    by_practitioner = await client.get(
        "/api/v1/reports/sales", params=day | {"group_by": "practitioner"}, headers=manager
    )
    assert by_product.status_code == 200, by_product.text
    rows = {
        row["label"]: (row["quantity"], row["total_incl_vat_cents"])
        for row in by_product.json()["rows"]
    }
    assert rows["Sérum éclat"] == (1, 2500)  # two sold, one given back
    assert rows["Massage"] == (1, 9000)
    assert by_product.json()["totals"]["total_incl_vat_cents"] == 21055 - 2500
    camille = {row["label"]: row["total_incl_vat_cents"] for row in by_practitioner.json()["rows"]}
    assert camille["Camille"] == 15000
    assert [(t["method"], t["amount_cents"]) for t in given_back["tenders"]] == [("cash", -2500)]


async def _order(client: AsyncClient, headers: dict[str, str], order_id: str) -> dict[str, Any]:
    got = await client.get(f"/api/v1/sales/orders/{order_id}", headers=headers)
    assert got.status_code == 200, got.text
    return dict(got.json())
