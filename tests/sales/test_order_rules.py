"""The till's rules: prices from the catalog only, barcodes checked, discounts with a reason
and a receptionist limit, tips split between practitioners, an abandoned order freeing its
booking, training tickets apart from the real chain, money given back through the tender
that paid it (the card reader, the gift card), no refund of a sale outside a credit ticket,
and every role kept to its routes."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.coupons.models import CouponRedemption
from app.payments.models import Tip
from tests.builders import AuthHeaders
from tests.coupons.test_coupons import make_coupon
from tests.factories.bookings import NINE, book_by_staff, facial_with_camille
from tests.factories.catalog import make_service
from tests.factories.clients import make_client
from tests.factories.core import paris, run_outbox
from tests.factories.giftcards import sell_gift_card
from tests.factories.practitioners import make_practitioner
from tests.fakes.server import FakeProviders
from tests.sales.helpers import records
from tests.sales.orders_helpers import (
    SERUM_EAN,
    complete,
    new_order,
    on_hand,
    open_till,
    pair_reader,
    reader_pays,
    stocked,
    tender,
)


@pytest.fixture(autouse=True)
def _on_the_day() -> None:
    clock.pin(paris(2027, 3, 22, 8))


@pytest.fixture
async def manager(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.manager)


@pytest.fixture
async def desk(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.receptionist)


async def _refused(answer: Any, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == code


async def test_a_barcode_must_be_a_valid_ean13_and_known(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    await open_till(client, manager)
    await stocked(client, manager, "Sérum", 2500, 3, barcode=SERUM_EAN)
    url = "/api/v1/sales/orders"

    bad_digit = await client.post(
        url, json={"lines": [{"kind": "product", "barcode": "3600523614517"}]}, headers=manager
    )
    unknown = await client.post(
        url, json={"lines": [{"kind": "product", "barcode": "4006381333931"}]}, headers=manager
    )
    scanned = await new_order(
        client, manager, lines=[{"kind": "product", "barcode": "3600523-614516"}]
    )

    assert bad_digit.status_code == 422
    await _refused(unknown, 422, "product_not_sold")
    assert [(line["label"], line["total_cents"]) for line in scanned["lines"]] == [
        ("Maison Lila — Sérum", 2500)
    ]
    orders = await client.get(url, params={"order_status": "open"}, headers=manager)
    assert [o["id"] for o in orders.json()["items"]] == [scanned["id"]]


async def test_a_manual_discount_has_a_reason_and_a_receptionist_limit(
    client: AsyncClient, manager: dict[str, str], desk: dict[str, str]
) -> None:
    await open_till(client, manager)
    cream = await stocked(client, manager, "Crème", 5000, 5)
    line = {"kind": "product", "product_id": str(cream), "quantity": 2}
    url = "/api/v1/sales/orders"

    no_reason = await client.post(
        url, json={"lines": [line | {"discount_cents": 500}]}, headers=desk
    )
    too_much = await client.post(
        url,
        json={"lines": [line], "discount_cents": 2001, "discount_reason": "Fidèle"},
        headers=desk,
    )
    allowed = await new_order(
        client, desk, lines=[line], discount_cents=2000, discount_reason="Fidèle"
    )
    by_manager = await new_order(
        client, manager, lines=[line | {"discount_cents": 6000, "discount_reason": "Geste"}]
    )

    assert no_reason.status_code == 422
    await _refused(too_much, 403, "discount_above_limit")
    assert too_much.json()["limit_cents"] == 2000
    assert (allowed["total_cents"], allowed["lines"][0]["discount_reason"]) == (8000, "Fidèle")
    assert by_manager["total_cents"] == 4000
    # 40 € at 20 %: 33,33 € without VAT, 6,67 € of VAT.
    assert by_manager["vat"] == [{"rate": "20.00", "base_cents": 3333, "vat_cents": 667}]
    listed = await client.get(url, params={"order_status": "open"}, headers=manager)
    assert len(listed.json()["items"]) == 2


async def test_tips_are_split_between_the_practitioners_of_the_services(
    client: AsyncClient, session: AsyncSession, manager: dict[str, str]
) -> None:
    facial, camille = await facial_with_camille()
    nails = await make_service("Manucure", minutes=30, price_cents=3000)
    ines = await make_practitioner("Inès", [nails])
    await open_till(client, manager)
    order = await new_order(
        client,
        manager,
        lines=[
            {"kind": "service", "service_id": str(facial), "practitioner_id": str(camille)},
            {"kind": "service", "service_id": str(nails), "practitioner_id": str(ines)},
        ],
    )

    cash = await tender(
        client, manager, order["id"], method="cash", amount_cents=9000, tip_cents=900
    )
    ticket = await complete(client, manager, order["id"])

    assert (cash["amount_cents"], cash["tip_cents"], cash["change_cents"]) == (9000, 900, 0)
    tips = (await session.scalars(select(Tip))).all()
    assert sorted((t.practitioner_id, t.amount_cents) for t in tips) == sorted(
        [(camille, 600), (ines, 300)]
    )
    [record] = [r for r in await records() if r["kind"] == "ticket"]
    # The tip is owed to the staff, not a sale: the ticket's cash is the 90 € of services.
    assert record["payload"]["tenders"] == [{"method": "cash", "amount_cents": 9000}]
    assert ticket["total_cents"] == 9000


async def test_an_abandoned_order_frees_its_booking_and_a_paid_one_cannot_be(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    facial, _ = await facial_with_camille()
    booking = await book_by_staff(client, manager, [facial], NINE)
    await open_till(client, manager)
    first = await new_order(client, manager, booking_id=booking["id"])
    twice = await client.post(
        "/api/v1/sales/orders", json={"booking_id": booking["id"]}, headers=manager
    )
    at_desk = await client.post(
        "/api/v1/payments/in-person",
        json={"booking_id": booking["id"], "method": "cash"},
        headers=manager,
    )

    await _refused(twice, 409, "booking_already_at_till")
    await _refused(at_desk, 409, "booking_not_payable")

    cancelled = await client.post(f"/api/v1/sales/orders/{first['id']}/cancel", headers=manager)
    second = await new_order(client, manager, booking_id=booking["id"])
    await tender(client, manager, second["id"], method="cash", amount_cents=1000)
    not_now = await client.post(f"/api/v1/sales/orders/{second['id']}/cancel", headers=manager)

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert second["total_cents"] == 6000
    await _refused(not_now, 409, "order_has_payments")


async def test_training_tickets_are_marked_and_kept_out_of_the_real_chain_and_stock(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    await open_till(client, manager)
    cream = await stocked(client, manager, "Crème", 3000, 5)
    order = await new_order(
        client, manager, training=True, lines=[{"kind": "product", "product_id": str(cream)}]
    )
    gift = await client.post(
        f"/api/v1/sales/orders/{order['id']}/payments",
        json={"method": "gift_card", "gift_card_code": "ABCD-EFGH-IJKL"},
        headers=manager,
    )
    await tender(client, manager, order["id"], method="cash", amount_cents=5000)
    ticket = await complete(client, manager, order["id"])

    await _refused(gift, 422, "not_in_training")
    assert ticket["number"].startswith("FORM-T2027-")
    assert ticket["training"] is True
    assert [r for r in await records() if r["kind"] == "ticket"] == []
    assert await on_hand(client, manager, cream) == 5
    real = await new_order(client, manager, lines=[{"kind": "product", "product_id": str(cream)}])
    await tender(client, manager, real["id"], method="cash", amount_cents=3000)
    assert (await complete(client, manager, real["id"]))["number"] == "T2027-000001"


async def test_a_return_goes_back_to_the_reader_card_and_onto_the_gift_card(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, manager: dict[str, str]
) -> None:
    await open_till(client, manager)
    cream = await stocked(client, manager, "Crème", 3000, 5)
    card = (await sell_gift_card(client, manager, 2000)).json()
    reader = await pair_reader(client, manager)
    order = await new_order(
        client, manager, lines=[{"kind": "product", "product_id": str(cream), "quantity": 2}]
    )
    await tender(client, manager, order["id"], method="gift_card", gift_card_code=card["code"])
    on_reader = await tender(
        client, manager, order["id"], method="sumup_terminal", reader_id=reader
    )
    await reader_pays(client, session, fakes, on_reader["payment_id"])
    ticket = await complete(client, manager, order["id"])
    line = (await client.get(f"/api/v1/sales/orders/{order['id']}", headers=manager)).json()[
        "lines"
    ][0]
    sideways = await client.post(
        f"/api/v1/payments/{on_reader['payment_id']}/refunds",
        json={"amount_cents": 1000, "reason": "hors caisse"},
        headers=manager,
    )

    returned = await client.post(
        f"/api/v1/sales/tickets/{ticket['id']}/refund",
        json={
            "lines": [{"line_id": line["id"], "quantity": 2, "resellable": False}],
            "reason": "Abîmé",
        },
        headers=manager,
    )
    await run_outbox()

    await _refused(sideways, 409, "refund_at_the_till")
    assert returned.status_code == 201, returned.text
    assert [(r["method"], r["amount_cents"]) for r in returned.json()["refunds"]] == [
        ("card", 4000),
        ("gift_card", 2000),
    ]
    assert [body for _, body in fakes.sumup.refunds] == [{"amount": 40.0}]  # SumUp's float
    balance = await client.post("/api/v1/gift-cards/balance", json={"code": card["code"]})
    assert balance.json()["balance_cents"] == 2000
    assert await on_hand(client, manager, cream) == 3  # back, and written off: not resellable
    [credit] = [r for r in await records() if r["kind"] == "credit_ticket"]
    assert credit["payload"]["tenders"] == [
        {"method": "card", "amount_cents": -4000},
        {"method": "gift_card", "amount_cents": -2000},
    ]


@pytest.mark.parametrize("role", [Role.practitioner])
async def test_practitioners_and_strangers_cannot_use_the_till(
    client: AsyncClient, auth_headers: AuthHeaders, manager: dict[str, str], role: Role
) -> None:
    await open_till(client, manager)
    cream = await stocked(client, manager, "Crème", 3000, 5)
    order = await new_order(client, manager, lines=[{"kind": "product", "product_id": str(cream)}])
    routes = [
        (
            "POST",
            "/api/v1/sales/orders",
            {"lines": [{"kind": "product", "product_id": str(cream)}]},
        ),
        ("GET", "/api/v1/sales/orders", None),
        ("GET", f"/api/v1/sales/orders/{order['id']}", None),
        ("POST", f"/api/v1/sales/orders/{order['id']}/payments", {"method": "cash"}),
        ("POST", f"/api/v1/sales/orders/{order['id']}/complete", None),
        ("POST", f"/api/v1/sales/orders/{order['id']}/cancel", None),
        ("POST", f"/api/v1/sales/tickets/{order['id']}/refund", {"lines": [], "reason": "x"}),
    ]
    for headers, status in ((await auth_headers(role), 403), ({}, 401)):
        for method, path, body in routes:
            answer = await client.request(method, path, json=body, headers=headers)
            assert answer.status_code == status, (method, path, answer.text)
    still = await client.get(f"/api/v1/sales/orders/{order['id']}", headers=manager)
    assert still.json()["tenders"] == []


async def test_a_walk_in_service_uses_its_recipe_once_and_a_booked_one_with_its_booking(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    facial, camille = await facial_with_camille()
    mask = await stocked(client, manager, "Masque", 800, 10)
    recipe = await client.put(
        f"/api/v1/stock/recipes/{facial}",
        json={"lines": [{"product_id": str(mask), "quantity": 2}]},
        headers=manager,
    )
    assert recipe.status_code == 200, recipe.text
    booking = await book_by_staff(client, manager, [facial], NINE)
    await open_till(client, manager)
    walk_in = {"kind": "service", "service_id": str(facial), "practitioner_id": str(camille)}
    order = await new_order(client, manager, booking_id=booking["id"], lines=[walk_in])
    await tender(client, manager, order["id"], method="cash")
    await complete(client, manager, order["id"])

    await run_outbox()
    await run_outbox()

    # Two facials: the booked one through its booking, the walk-in through the ticket.
    assert await on_hand(client, manager, mask) == 10 - 2 - 2


async def test_a_clients_orders_are_in_her_export_and_follow_a_merge(
    client: AsyncClient, manager: dict[str, str], auth_headers: AuthHeaders
) -> None:
    helene = await make_client("Hélène", email="helene@example.fr")
    twin = await make_client("Hélène", email="h.dupont@example.fr")
    await open_till(client, manager)
    cream = await stocked(client, manager, "Crème", 3000, 5)
    order = await new_order(
        client, manager, client_id=str(twin), lines=[{"kind": "product", "product_id": str(cream)}]
    )
    await tender(client, manager, order["id"], method="cash")
    ticket = await complete(client, manager, order["id"])
    owner = await auth_headers(Role.owner)

    merged = await client.post(
        "/api/v1/clients/merge",
        json={"source_id": str(twin), "target_id": str(helene)},
        headers=owner,
    )
    exported = await client.get(f"/api/v1/clients/{helene}/export", headers=owner)

    assert merged.status_code == 200, merged.text
    orders = exported.json()["till_orders"]
    assert [(o["ticket_number"], o["total_cents"]) for o in orders] == [(ticket["number"], 3000)]


async def test_a_promo_code_is_held_by_an_order_used_by_its_ticket_freed_by_its_cancel(
    client: AsyncClient, session: AsyncSession, manager: dict[str, str]
) -> None:
    await make_coupon(client, manager, code="UNEFOIS", max_uses=1)
    await open_till(client, manager)
    cream = await stocked(client, manager, "Crème", 5000, 5)
    line = [{"kind": "product", "product_id": str(cream)}]
    first = await new_order(client, manager, lines=line, promo_code="unefois")
    meanwhile = await client.post(
        "/api/v1/sales/orders", json={"lines": line, "promo_code": "UNEFOIS"}, headers=manager
    )
    await client.post(f"/api/v1/sales/orders/{first['id']}/cancel", headers=manager)
    second = await new_order(client, manager, lines=line, promo_code="UNEFOIS")
    await tender(client, manager, second["id"], method="cash")
    await complete(client, manager, second["id"])

    assert (first["total_cents"], first["lines"][0]["discount_reason"]) == (4000, "Code promo")
    await _refused(meanwhile, 409, "coupon_not_applicable")
    states = (
        await session.scalars(select(CouponRedemption.state).order_by(CouponRedemption.at))
    ).all()
    assert states == ["released", "used"]
