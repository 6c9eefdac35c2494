"""Cancelling a card paid in several tenders (part in cash, part on the card reader…) with its
refund: every tender that paid for it gives back its share, each by its own method, and never
more than the card still holds (docs/giftcards.md, "Staff")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse
from uuid import UUID

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.giftcards.refunds import refund_order
from app.payments.models import Payment, Refund
from app.payments.public import Tender
from tests.bookings.salon import book_by_staff, facial_with_camille
from tests.builders import sell_gift_card
from tests.fakes.server import FakeProviders
from tests.payments.helpers import count, run_outbox
from tests.payments.test_salon import pair

NINE = "2027-03-22T09:00:00+01:00"


async def sell_unpaid(client: AsyncClient, desk: dict[str, str], amount_cents: int) -> Any:
    """A card sold at the desk with no method: pending until its tenders pay it."""
    sold = (await sell_gift_card(client, desk, amount_cents, method=None)).json()
    assert sold["gift_card"]["status"] == "pending_payment"
    return sold


async def tender(
    client: AsyncClient, desk: dict[str, str], card_id: str, method: str, amount_cents: int
) -> str:
    taken = await client.post(
        "/api/v1/payments/in-person",
        json={
            "subject_kind": "gift_card",
            "subject_id": card_id,
            "method": method,
            "amount_cents": amount_cents,
        },
        headers=desk,
    )
    assert taken.status_code == 201, taken.text
    return str(taken.json()["id"])


async def on_the_reader(
    client: AsyncClient, fakes: FakeProviders, desk: dict[str, str], card_id: str, cents: int
) -> str:
    """A tender on the SumUp reader, tapped: the reader's callback says it is paid."""
    reader_id = await pair(client, desk)
    started = await client.post(
        "/api/v1/payments/in-person",
        json={
            "subject_kind": "gift_card",
            "subject_id": card_id,
            "method": "sumup_terminal",
            "reader_id": reader_id,
            "amount_cents": cents,
        },
        headers=desk,
    )
    assert started.status_code == 201, started.text
    return_url, body = fakes.sumup.finish(started.json()["provider_ref"], "successful")
    parsed = urlparse(return_url)
    answer = await client.post(f"{parsed.path}?{parsed.query}", json=body)
    assert answer.json()["outcome"] == "applied"
    return str(started.json()["id"])


async def card(client: AsyncClient, desk: dict[str, str], card_id: str) -> dict[str, Any]:
    return dict((await client.get(f"/api/v1/gift-cards/{card_id}", headers=desk)).json())


async def cancel(client: AsyncClient, desk: dict[str, str], card_id: str, **body: Any) -> Any:
    return await client.post(
        f"/api/v1/gift-cards/{card_id}/cancel",
        json={"reason": "Vendue par erreur"} | body,
        headers=desk,
    )


async def refunded(session: AsyncSession, payment_id: str) -> tuple[str, int]:
    found = await session.get(Payment, UUID(payment_id), populate_existing=True)
    assert found is not None
    return found.status, found.refunded_cents


async def test_cancelling_a_split_paid_card_refunds_each_tender_by_its_own_method(
    client: AsyncClient, session: AsyncSession, fakes: FakeProviders, desk: dict[str, str]
) -> None:
    card_id = (await sell_unpaid(client, desk, 5000))["gift_card"]["id"]
    cash = await tender(client, desk, card_id, "cash", 2000)
    reader = await on_the_reader(client, fakes, desk, card_id, 3000)
    assert (await card(client, desk, card_id))["status"] == "active"

    cancelled = await cancel(client, desk, card_id)

    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["balance_cents"]) == ("cancelled", 0)
    assert await refunded(session, cash) == ("refunded", 2000)
    assert await refunded(session, reader) == ("refunded", 3000)
    [(_, sent)] = fakes.sumup.refunds
    assert sent == {"amount": 30.0}
    after = await card(client, desk, card_id)
    assert sorted((e["kind"], e["amount_cents"]) for e in after["ledger"]) == [
        ("cancel", -3000),
        ("cancel", -2000),
        ("issue", 5000),
    ]


async def test_a_partly_spent_split_card_gives_back_the_reader_first_and_cash_last(
    client: AsyncClient, session: AsyncSession, fakes: FakeProviders, desk: dict[str, str]
) -> None:
    facial, _ = await facial_with_camille(price_cents=1500)
    booking = await book_by_staff(client, desk, [facial], NINE)
    sold = await sell_unpaid(client, desk, 5000)
    card_id = sold["gift_card"]["id"]
    reader = await on_the_reader(client, fakes, desk, card_id, 3000)
    clock.travel(timedelta(minutes=5))  # the cash came last
    cash = await tender(client, desk, card_id, "cash", 2000)
    spent = await client.post(
        "/api/v1/gift-cards/redeem",
        json={"code": sold["code"], "booking_id": booking["id"]},
        headers=desk,
    )
    assert (spent.status_code, spent.json()["balance_cents"]) == (200, 3500)

    cancelled = await cancel(client, desk, card_id)

    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["balance_cents"]) == ("cancelled", 0)
    assert await refunded(session, reader) == ("refunded", 3000)
    assert await refunded(session, cash) == ("partially_refunded", 500)
    assert await refunded(session, spent.json()["payment_id"]) == ("succeeded", 0)
    assert [body for _, body in fakes.sumup.refunds] == [{"amount": 30.0}]
    after = await card(client, desk, card_id)
    assert sum(e["amount_cents"] for e in after["ledger"]) == 0
    assert [e["kind"] for e in after["ledger"]].count("cancel") == 2


async def test_cancelling_a_card_still_being_paid_gives_every_tender_back(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str]
) -> None:
    card_id = (await sell_unpaid(client, desk, 5000))["gift_card"]["id"]
    cash = await tender(client, desk, card_id, "cash", 1000)
    transfer = await tender(client, desk, card_id, "bank_transfer", 1500)

    cancelled = await cancel(client, desk, card_id)
    await run_outbox()

    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["balance_cents"]) == ("cancelled", 0)
    assert await refunded(session, cash) == ("refunded", 1000)
    assert await refunded(session, transfer) == ("refunded", 1500)
    assert cancelled.json()["ledger"] == []


async def test_cancelling_without_refund_keeps_every_tender(
    client: AsyncClient, session: AsyncSession, fakes: FakeProviders, desk: dict[str, str]
) -> None:
    card_id = (await sell_unpaid(client, desk, 5000))["gift_card"]["id"]
    cash = await tender(client, desk, card_id, "cash", 2000)
    reader = await on_the_reader(client, fakes, desk, card_id, 3000)

    cancelled = await cancel(client, desk, card_id, refund=False)

    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["balance_cents"]) == ("cancelled", 0)
    assert await refunded(session, cash) == ("succeeded", 0)
    assert await refunded(session, reader) == ("succeeded", 0)
    assert fakes.sumup.refunds == []
    assert await count(session, Refund) == 0


def _tender(method: str, minute: int, cents: int = 1000) -> Tender:
    return Tender(
        payment_id=UUID(int=minute),
        method=method,
        refundable_cents=cents,
        taken_at=datetime(2027, 3, 15, 9, minute, tzinfo=UTC),
    )


def test_tenders_go_back_newest_first_and_cash_last() -> None:
    old_cash, reader, old_card, new_cash, transfer = (
        _tender("cash", 1),
        _tender("sumup_terminal", 2),
        _tender("gift_card", 3),
        _tender("cash", 4),
        _tender("bank_transfer", 5),
    )

    ordered = refund_order([old_cash, reader, old_card, new_cash, transfer])

    assert ordered == [transfer, old_card, reader, new_cash, old_cash]
