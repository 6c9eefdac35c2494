"""Stripe's payouts: `payout.paid` on the verified, stored-once webhook inbox records the
payout once with each balance transaction it paid out (matched to our payments, or flagged),
and the books move the money from 467200 to the bank with Stripe's fees on 627800;
`payout.failed` puts it back."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from tests.accounting.helpers import balanced, postings
from tests.builders import AuthHeaders
from tests.factories.core import paris, run_outbox
from tests.factories.payments import post_stripe
from tests.fakes.server import FakeProviders
from tests.fakes.stripe import FakeStripe, card_fee
from tests.payouts.helpers import (
    BANK,
    FEES,
    STRIPE,
    bank_entries,
    ledger_balance,
    payouts,
    stripe_deposit,
)

ARRIVAL = date(2027, 3, 17)


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


async def test_a_payout_delivered_twice_is_recorded_once_with_one_balanced_entry(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    payment_id = await stripe_deposit(client, fakes)
    event = fakes.stripe.pay_out(ARRIVAL)
    payout_ref = event["data"]["object"]["id"]

    first = await post_stripe(client, event)
    replay = await post_stripe(client, event)  # the same delivery again
    resent = await post_stripe(client, FakeStripe.event("payout.paid", event["data"]["object"]))

    assert [first.json()["outcome"], replay.json()["outcome"]] == ["applied", "duplicate"]
    assert resent.json()["outcome"] == "ignored"  # another event, the same payout
    fee = card_fee(2700)
    [payout] = await payouts(client, manager)
    assert (payout["reference"], payout["status"], payout["source"]) == (
        payout_ref,
        "paid",
        "webhook",
    )
    assert (payout["gross_cents"], payout["fee_cents"], payout["net_cents"]) == (
        2700,
        fee,
        2700 - fee,
    )
    assert payout["arrival_date"] == "2027-03-17"
    detail = await client.get(f"/api/v1/payments/payouts/{payout['id']}", headers=manager)
    [line] = detail.json()["lines"]
    assert (line["kind"], line["payment_id"], line["matched"]) == ("charge", payment_id, True)
    assert (line["amount_cents"], line["fee_cents"], line["net_cents"]) == (2700, fee, 2700 - fee)
    # Stripe was asked for the payout's balance transactions, sources expanded (again for
    # the second event: what Stripe says now is the truth, not the event).
    listed = fakes.stripe.calls("/v1/balance_transactions")
    assert [(x["payout"], "data.source" in x.values()) for x in listed] == [(payout_ref, True)] * 2

    [entry] = await bank_entries(client, manager)
    await run_outbox()
    assert len(await bank_entries(client, manager)) == 1
    assert balanced(entry)
    assert (entry["number"], entry["entry_date"], entry["source_kind"]) == (
        "BQ000001",
        "2027-03-17",
        "payout",
    )
    assert (entry["document_ref"], entry["payout_id"]) == (payout_ref, payout["id"])
    assert postings(entry) == [(BANK, 2700 - fee, 0), (FEES, fee, 0), (STRIPE, 0, 2700)]
    assert await ledger_balance(client, manager, STRIPE, 2027) == 0


async def test_a_line_that_is_none_of_our_payments_is_kept_and_flagged(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    ours = await stripe_deposit(client, fakes)
    fakes.stripe.foreign_charge(5000)
    fakes.stripe.account_fee(200)
    fakes.stripe.max_page = 2  # four balance transactions (the payout's own too): two pages

    assert (await post_stripe(client, fakes.stripe.pay_out(ARRIVAL))).is_success
    pages = fakes.stripe.calls("/v1/balance_transactions")
    assert [("starting_after" in page) for page in pages] == [False, True]

    [payout] = await payouts(client, manager)
    lines = (await client.get(f"/api/v1/payments/payouts/{payout['id']}", headers=manager)).json()[
        "lines"
    ]
    by_kind = {(x["kind"], x["matched"]): x for x in lines}
    assert by_kind[("charge", True)]["payment_id"] == ours
    foreign = by_kind[("charge", False)]
    assert (foreign["payment_id"], foreign["amount_cents"]) == (None, 5000)
    fee_only = by_kind[("fee", False)]  # Stripe's own fee: all fee, no gross
    assert (fee_only["amount_cents"], fee_only["fee_cents"], fee_only["net_cents"]) == (
        0,
        200,
        -200,
    )
    fees = card_fee(2700) + card_fee(5000) + 200
    assert (payout["gross_cents"], payout["fee_cents"]) == (7700, fees)
    assert payout["net_cents"] == 7700 - fees
    assert sum(x["net_cents"] for x in lines) == payout["net_cents"]


async def test_a_failed_payout_puts_the_money_back_in_the_clearing_account(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    await stripe_deposit(client, fakes)
    paid = fakes.stripe.pay_out(ARRIVAL)
    assert (await post_stripe(client, paid)).is_success
    await run_outbox()
    clock.travel(timedelta(days=4))  # the bank sent it back two days after arrival
    manager = await auth_headers(Role.manager)

    failed = await post_stripe(client, fakes.stripe.fail_payout(paid["data"]["object"]["id"]))
    again = await post_stripe(client, FakeStripe.event("payout.failed", paid["data"]["object"]))

    assert failed.json()["outcome"] == "applied"
    assert again.json()["outcome"] == "ignored"
    [payout] = await payouts(client, manager)
    assert payout["status"] == "failed"
    assert payout["failed_at"] is not None
    fee = card_fee(2700)
    received, reversed_ = await bank_entries(client, manager)
    assert (reversed_["source_kind"], reversed_["entry_date"]) == ("payout_failed", "2027-03-19")
    assert balanced(reversed_)
    assert postings(reversed_) == [(STRIPE, 2700 - fee, 0), (BANK, 0, 2700 - fee)]
    # Stripe holds the net again; the fees stay expensed.
    assert await ledger_balance(client, manager, STRIPE, 2027) == 2700 - fee
    assert await ledger_balance(client, manager, BANK, 2027) == 0
    assert await ledger_balance(client, manager, FEES, 2027) == fee
    assert postings(received)[1] == (FEES, fee, 0)
