"""The books from the real flows: a deposit paid online, a gift card sold then partly spent
at the till, a ticket paid by the card reader and in cash with a tip, a return, the card's
unspent part refunded, another card expiring; each entry balanced and mapped."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.giftcards import delivery
from tests.accounting.helpers import (
    balanced,
    booked_and_deposit_paid,
    card_payment,
    entries,
    pair_reader,
    postings,
    reader_pays,
)
from tests.builders import AuthHeaders
from tests.factories.core import paris, run_outbox
from tests.factories.giftcards import sell_gift_card
from tests.fakes.server import FakeProviders
from tests.sales.orders_helpers import CREAM_EAN, complete, new_order, open_till, stocked, tender

CASH, BANK, SUMUP, STRIPE = "530000", "512000", "467100", "467200"
DEPOSITS, GIFT_CARDS, TIPS = "419100", "419800", "428600"
SERVICES_20, GOODS_20, GOODS_5_5 = "706100", "707100", "707300"
VAT_20, VAT_5_5, OTHER_INCOME = "445711", "445713", "758000"


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


async def a_month_of_the_salon(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, auth_headers: AuthHeaders
) -> dict[str, Any]:
    """Everything the module's docstring says, through the API; returns what was made."""
    manager = await auth_headers(Role.manager)
    booking = await booked_and_deposit_paid(client, fakes)
    await stocked(client, manager, "Sérum éclat", 2500, 10, barcode=CREAM_EAN)
    book = await stocked(client, manager, "Livre « Rituels »", 1055, 5, vat="5.50")
    card = (await sell_gift_card(client, manager, 5000)).json()
    clock.pin(paris(2027, 3, 22, 10, 30))
    manager = await auth_headers(Role.manager)
    await open_till(client, manager)
    reader = await pair_reader(client, manager)
    order = await new_order(
        client,
        manager,
        booking_id=booking["id"],
        lines=[
            {"kind": "product", "barcode": CREAM_EAN, "quantity": 1},
            {"kind": "product", "product_id": str(book)},
        ],
    )
    await tender(
        client, manager, order["id"], method="gift_card", gift_card_code=card["code"],
        amount_cents=3000,
    )  # fmt: skip
    on_reader = await tender(
        client, manager, order["id"], method="sumup_terminal", amount_cents=10000,
        reader_id=reader,
    )  # fmt: skip
    await reader_pays(client, session, fakes, on_reader["payment_id"])
    await tender(client, manager, order["id"], method="cash", amount_cents=3000, tip_cents=500)
    ticket = await complete(client, manager, order["id"])
    return {"manager": manager, "ticket": ticket, "order": order, "card": card}


async def test_a_month_of_sales_payments_and_gift_cards_is_in_the_books_balanced(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    made = await a_month_of_the_salon(client, fakes, session, auth_headers)
    manager = made["manager"]

    await run_outbox()
    await run_outbox()  # a second delivery writes nothing twice

    found = await entries(client, manager)
    assert all(balanced(entry) for entry in found)
    by_journal = {(e["journal"], e["number"]): e for e in found}
    assert sorted(by_journal) == [
        ("CA", "CA000001"),  # the gift card sold for cash
        ("ST", "ST000001"),  # the deposit paid online
        ("VE", "VE000001"),  # the ticket
    ]
    sold = by_journal["CA", "CA000001"]
    # A single-purpose card: its VAT is due when it is sold (CGI 256 ter).
    assert postings(sold) == [(CASH, 5000, 0), (GIFT_CARDS, 0, 4167), (VAT_20, 0, 833)]
    assert (sold["entry_date"], sold["source_kind"]) == ("2027-03-15", "payment")
    deposit = by_journal["ST", "ST000001"]
    assert postings(deposit) == [(STRIPE, 2700, 0), (DEPOSITS, 0, 2700)]
    ticket = by_journal["VE", "VE000001"]
    assert (ticket["document_ref"], ticket["entry_date"]) == ("T2027-000001", "2027-03-22")
    # 90 + 60 + 25 + 10,55 = 185,55 €: 27 € of deposit, 30 € of the card (its 5 € of VAT
    # already collected at the sale come back off 44571), 100 € on the reader, 28,55 € in
    # cash and a 5 € tip owed to Camille, never revenue.
    assert postings(ticket) == [
        (DEPOSITS, 2700, 0),
        (GIFT_CARDS, 2500, 0),
        (VAT_20, 500, 0),
        (SUMUP, 10000, 0),
        (CASH, 3355, 0),
        (GOODS_20, 0, 2083),
        (GOODS_5_5, 0, 1000),
        (SERVICES_20, 0, 12500),
        (VAT_20, 0, 2917),
        (VAT_5_5, 0, 55),
        (TIPS, 0, 500),
    ]
    assert ticket["journal_record_id"] == made["ticket"]["id"]


async def test_a_return_a_refund_and_an_expiry_go_back_through_their_accounts(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    made = await a_month_of_the_salon(client, fakes, session, auth_headers)
    manager, card = made["manager"], made["card"]
    serum = next(x for x in made["order"]["lines"] if x["label"].endswith("Sérum éclat"))
    returned = await client.post(
        f"/api/v1/sales/tickets/{made['ticket']['id']}/refund",
        json={"lines": [{"line_id": serum["id"], "quantity": 1}], "reason": "Allergie"},
        headers=manager,
    )
    assert returned.status_code == 201, returned.text
    bought = await card_payment(session, card["gift_card"]["id"])
    refunded = await client.post(
        f"/api/v1/payments/{bought.id}/refunds",
        json={"amount_cents": 2000, "reason": "Carte rendue"},
        headers=manager,
    )
    assert refunded.status_code == 201, refunded.text
    other = (await sell_gift_card(client, manager, 4000)).json()
    clock.pin(paris(2028, 3, 23, 1))
    await delivery.expire_cards()

    await run_outbox()

    found = await entries(client, await auth_headers(Role.manager))
    assert all(balanced(entry) for entry in found)
    credit = next(e for e in found if e["source_kind"] == "credit_ticket")
    assert credit["document_ref"] == returned.json()["ticket"]["number"]
    assert sorted(postings(credit)) == sorted(
        [(GOODS_20, 2083, 0), (VAT_20, 417, 0), (CASH, 0, 2500)]
    )
    refund = next(e for e in found if e["source_kind"] == "refund")
    # The card's 20 € unspent go back in cash: the liability and its VAT collected at sale.
    assert (refund["journal"], postings(refund)) == (
        "CA",
        [(GIFT_CARDS, 1667, 0), (VAT_20, 333, 0), (CASH, 0, 2000)],
    )
    [expiry] = [e for e in found if e["source_kind"] == "gift_card_expiry"]
    assert expiry["gift_card_id"] == other["gift_card"]["id"]
    assert (expiry["journal"], expiry["number"], expiry["fiscal_year"]) == ("OD", "OD000001", 2028)
    assert postings(expiry) == [(GIFT_CARDS, 3333, 0), (OTHER_INCOME, 0, 3333)]
    gift_cards = sum(
        line["credit_cents"] - line["debit_cents"]
        for entry in found
        for line in entry["lines"]
        if line["account_number"] == GIFT_CARDS
    )
    assert gift_cards == 0  # both cards are gone: nothing is owed on them any more


async def test_the_vat_return_of_the_month_equals_the_vat_accounts(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    made = await a_month_of_the_salon(client, fakes, session, auth_headers)
    await run_outbox()
    manager = made["manager"]

    report = await client.get(
        "/api/v1/accounting/vat-report", params={"year": 2027, "month": 3}, headers=manager
    )
    both = await client.get(
        "/api/v1/accounting/vat-report",
        params={"year": 2027, "month": 3, "quarter": 1},
        headers=manager,
    )
    balance = await client.get("/api/v1/accounting/trial-balance/2027", headers=manager)

    assert report.status_code == 200, report.text
    assert (both.status_code, both.json()["code"]) == (422, "validation_error")
    body = report.json()
    by_box = {line["box"]: line for line in body["lines"]}
    # 20 %: the card's 41,67 € at its sale, the ticket's 145,83 €, less the 25 € of it the
    # card paid (its VAT was due at the sale): 162,50 € and 32,50 €, rounded half up.
    assert (by_box["08"]["base_cents"], by_box["08"]["vat_cents"]) == (16250, 3250)
    assert (by_box["08"]["base_euros"], by_box["08"]["vat_euros"]) == (163, 33)
    assert by_box["08"]["entries"] == ["CA000001", "VE000001"]
    assert (by_box["09"]["base_euros"], by_box["09"]["vat_euros"]) == (10, 1)
    assert body["boxes"] == {"16": 34, "19": 0, "20": 0, "23": 0, "25": 0, "28": 34}
    accounts = {a["account_number"]: a for a in balance.json()["accounts"]}
    vat_accounts = sum(a["balance_cents"] for n, a in accounts.items() if n.startswith("4457"))
    assert body["vat_collected_cents"] == -vat_accounts == 3305
    totals = balance.json()
    assert totals["debit_cents"] == totals["credit_cents"] == 5000 + 2700 + 19055


async def test_the_general_ledger_of_the_cash_account(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    made = await a_month_of_the_salon(client, fakes, session, auth_headers)
    await run_outbox()

    ledger = await client.get(
        "/api/v1/accounting/ledger",
        params={"account_number": CASH, "year": 2027},
        headers=made["manager"],
    )

    assert ledger.status_code == 200, ledger.text
    lines = [
        (x["number"], x["document_ref"], x["debit_cents"], x["credit_cents"])
        for x in ledger.json()["items"]
    ]
    card_payment = lines[0][1]
    assert lines == [
        ("CA000001", card_payment, 5000, 0),  # the gift card sold for cash
        ("VE000001", "T2027-000001", 3355, 0),  # the ticket's cash and its tip
    ]
