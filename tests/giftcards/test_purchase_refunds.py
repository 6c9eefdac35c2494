"""Refunding the payment that bought a gift card: only what is unspent goes back, and that
much leaves the card; never both the money back and a usable card."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.giftcards import codes
from app.giftcards.models import GiftCard
from tests.bookings.salon import book_by_staff, facial_with_camille, paris
from tests.builders import AuthHeaders, sell_gift_card
from tests.fakes.server import FakeProviders
from tests.payments.helpers import post_stripe, run_outbox

NINE = "2027-03-22T09:00:00+01:00"
ELEVEN = "2027-03-22T11:00:00+01:00"


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


async def sell(client: AsyncClient, desk: dict[str, str], amount_cents: int) -> dict[str, Any]:
    return dict((await sell_gift_card(client, desk, amount_cents)).json())


async def card(client: AsyncClient, desk: dict[str, str], card_id: str) -> dict[str, Any]:
    return dict((await client.get(f"/api/v1/gift-cards/{card_id}", headers=desk)).json())


async def purchase_payment(client: AsyncClient, desk: dict[str, str], card_id: str) -> str:
    [issue] = [e for e in (await card(client, desk, card_id))["ledger"] if e["kind"] == "issue"]
    return str(issue["payment_id"])


async def redeem(client: AsyncClient, desk: dict[str, str], code: str, booking: str) -> Any:
    return await client.post(
        "/api/v1/gift-cards/redeem", json={"code": code, "booking_id": booking}, headers=desk
    )


async def test_refunding_a_desk_sale_cancels_the_card_and_it_can_no_longer_pay(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    desk = await auth_headers(Role.manager)
    facial, _ = await facial_with_camille(price_cents=6000)
    booking = await book_by_staff(client, desk, [facial], NINE)
    sold = await sell(client, desk, 5000)
    card_id = sold["gift_card"]["id"]
    payment_id = await purchase_payment(client, desk, card_id)

    refund = await client.post(
        f"/api/v1/payments/{payment_id}/refunds", json={"reason": "Changé d'avis"}, headers=desk
    )
    after = await card(client, desk, card_id)
    spend = await redeem(client, desk, sold["code"], booking["id"])

    assert refund.status_code == 201, refund.text
    assert refund.json()["amount_cents"] == 5000
    assert (after["status"], after["balance_cents"]) == ("cancelled", 0)
    assert [e["kind"] for e in after["ledger"]] == ["issue", "cancel"]
    assert (spend.status_code, spend.json()["code"]) == (409, "gift_card_not_usable")


async def test_a_partly_spent_card_refunds_only_what_is_unspent(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    desk = await auth_headers(Role.manager)
    facial, _ = await facial_with_camille(price_cents=6000)
    first = await book_by_staff(client, desk, [facial], NINE)
    second = await book_by_staff(client, desk, [facial], ELEVEN)
    sold = await sell(client, desk, 10000)
    card_id = sold["gift_card"]["id"]
    payment_id = await purchase_payment(client, desk, card_id)
    assert (await redeem(client, desk, sold["code"], first["id"])).status_code == 200

    everything = await client.post(
        f"/api/v1/payments/{payment_id}/refunds",
        json={"amount_cents": 10000, "reason": "Remboursement"},
        headers=desk,
    )
    unchanged = await card(client, desk, card_id)
    unspent = await client.post(
        f"/api/v1/payments/{payment_id}/refunds", json={"reason": "Remboursement"}, headers=desk
    )
    after = await card(client, desk, card_id)
    spend = await redeem(client, desk, sold["code"], second["id"])

    assert (everything.status_code, everything.json()["code"]) == (409, "gift_card_partly_spent")
    assert everything.json()["unspent_cents"] == 4000
    assert (unchanged["status"], unchanged["balance_cents"]) == ("active", 4000)
    assert unspent.status_code == 201, unspent.text
    assert unspent.json()["amount_cents"] == 4000
    assert (after["status"], after["balance_cents"]) == ("cancelled", 0)
    assert (spend.status_code, spend.json()["code"]) == (409, "gift_card_not_usable")


async def test_an_online_card_refunded_in_the_stripe_dashboard_stops_being_spendable(
    client: AsyncClient, auth_headers: AuthHeaders, fakes: FakeProviders, session: AsyncSession
) -> None:
    desk = await auth_headers(Role.manager)
    facial, _ = await facial_with_camille(price_cents=6000)
    booking = await book_by_staff(client, desk, [facial], NINE)
    bought = await client.post(
        "/api/v1/gift-cards",
        json={
            "amount_cents": 8000,
            "buyer": {"name": "Inès Martin", "email": "ines@example.fr"},
            "recipient_name": "Léa",
            "method": "stripe",
        },
    )
    assert bought.status_code == 201, bought.text
    await post_stripe(client, fakes.stripe.pay(bought.json()["client_secret"]))
    await run_outbox()
    card_id = bought.json()["gift_card"]["id"]
    assert (await card(client, desk, card_id))["status"] == "active"
    intent = bought.json()["client_secret"].split("_secret_")[0]

    event = fakes.stripe.refund_from_dashboard(intent, 8000)
    recorded = await post_stripe(client, event)
    replayed = await post_stripe(client, event)
    await run_outbox()
    after = await card(client, desk, card_id)
    row = await session.get(GiftCard, card_id)
    assert row is not None
    spend = await redeem(client, desk, codes.unseal(row.code_sealed), booking["id"])

    assert recorded.json()["outcome"] == "applied"
    assert replayed.json()["outcome"] == "duplicate"
    assert (after["status"], after["balance_cents"]) == ("cancelled", 0)
    assert [e["kind"] for e in after["ledger"]] == ["issue", "cancel"]
    assert (spend.status_code, spend.json()["code"]) == (409, "gift_card_not_usable")


async def test_a_dashboard_refund_announced_as_charge_refunded_cancels_the_card_once(
    client: AsyncClient, auth_headers: AuthHeaders, fakes: FakeProviders
) -> None:
    desk = await auth_headers(Role.manager)
    bought = await client.post(
        "/api/v1/gift-cards",
        json={
            "amount_cents": 6000,
            "buyer": {"name": "Inès Martin", "email": "ines@example.fr"},
            "recipient_name": "Léa",
            "method": "stripe",
        },
    )
    await post_stripe(client, fakes.stripe.pay(bought.json()["client_secret"]))
    await run_outbox()
    card_id = bought.json()["gift_card"]["id"]
    intent = bought.json()["client_secret"].split("_secret_")[0]
    refund_created = fakes.stripe.refund_from_dashboard(intent, 6000)

    charge = await post_stripe(client, fakes.stripe.charge_refunded(intent))
    late = await post_stripe(client, refund_created)
    after = await card(client, desk, card_id)

    assert charge.json()["outcome"] == "applied"
    assert late.json()["outcome"] == "ignored"  # the same refund, already recorded
    assert (after["status"], after["balance_cents"]) == ("cancelled", 0)
    assert [e["kind"] for e in after["ledger"]] == ["issue", "cancel"]
