"""The accountant's reconciliation of provider payouts: each clearing account's figures tie
to its ledger (the closing balance is the account's ledger balance, and one period's closing
is the next one's opening), each payout shows its matched and unmatched lines, and the
payments no payout carried yet are listed. The FEC of a year with payouts still passes every
rule."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from tests.accounting.fec_validator import validate
from tests.accounting.helpers import postings
from tests.builders import AuthHeaders
from tests.factories.core import paris, run_outbox, settings_changed
from tests.factories.payments import post_stripe
from tests.fakes.server import FakeProviders
from tests.fakes.stripe import card_fee
from tests.payouts.helpers import FEES, STRIPE, bank_entries, ledger_balance, stripe_deposit


@pytest.fixture(autouse=True)
def _a_week_before(monkeypatch: pytest.MonkeyPatch) -> None:
    clock.pin(paris(2027, 3, 15, 8))
    settings_changed(monkeypatch, ACCOUNTING_SIREN="812345678")


async def _reconciled(
    client: AsyncClient, headers: dict[str, str], date_from: str, date_to: str
) -> dict[str, Any]:
    answer = await client.get(
        "/api/v1/accounting/reconciliation",
        params={"provider": "stripe", "date_from": date_from, "date_to": date_to},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    [stripe] = answer.json()["providers"]
    return dict(stripe)


async def _paid_out_then_one_more(client: AsyncClient, fakes: FakeProviders) -> tuple[str, str]:
    """A deposit and a charge of another site paid out on 17 March; a second deposit taken
    on the 18th that no payout carried yet."""
    first = await stripe_deposit(client, fakes)
    fakes.stripe.foreign_charge(5000)
    assert (await post_stripe(client, fakes.stripe.pay_out(date(2027, 3, 17)))).is_success
    clock.travel(timedelta(days=3))
    second = await stripe_deposit(client, fakes)
    await run_outbox()
    return first, second


async def test_the_reconciliation_ties_to_the_clearing_account_s_ledger(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders
) -> None:
    first, second = await _paid_out_then_one_more(client, fakes)
    manager = await auth_headers(Role.manager)

    march = await _reconciled(client, manager, "2027-03-01", "2027-03-31")

    fees = card_fee(2700) + card_fee(5000)
    net = 7700 - fees
    assert (march["account_number"], march["opening_balance_cents"]) == (STRIPE, 0)
    assert (march["received_cents"], march["refunded_cents"]) == (5400, 0)
    assert (march["fees_cents"], march["paid_out_cents"], march["other_cents"]) == (fees, net, 0)
    ledger = await ledger_balance(client, manager, STRIPE, 2027)
    assert march["closing_balance_cents"] == ledger
    assert ledger == (
        march["opening_balance_cents"]
        + march["received_cents"]
        - march["refunded_cents"]
        - march["fees_cents"]
        - march["paid_out_cents"]
        + march["other_cents"]
    )
    # The other site's 50 € went out of 467200 without coming in: what is left to explain.
    assert ledger == 2700 - 5000
    assert await ledger_balance(client, manager, FEES, 2027) == fees
    [payout] = march["payouts"]
    assert (payout["gross_cents"], payout["fee_cents"], payout["net_cents"]) == (7700, fees, net)
    assert payout["entries"] == ["BQ000001"]
    assert [line["payment_id"] for line in payout["matched"]] == [first]
    [foreign] = payout["unmatched"]
    assert (foreign["kind"], foreign["amount_cents"], foreign["payment_id"]) == (
        "charge",
        5000,
        None,
    )
    assert [p["payment_id"] for p in march["not_paid_out"]] == [second]


async def test_one_period_s_closing_is_the_next_one_s_opening(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders
) -> None:
    await _paid_out_then_one_more(client, fakes)
    manager = await auth_headers(Role.manager)

    before = await _reconciled(client, manager, "2027-03-01", "2027-03-16")
    after = await _reconciled(client, manager, "2027-03-17", "2027-03-31")

    assert (before["received_cents"], before["payouts"], before["closing_balance_cents"]) == (
        2700,
        [],
        2700,
    )
    assert after["opening_balance_cents"] == before["closing_balance_cents"]
    assert after["received_cents"] == 2700
    assert len(after["payouts"]) == 1


async def test_every_provider_is_reconciled_and_bad_dates_are_refused(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)

    everyone = await client.get(
        "/api/v1/accounting/reconciliation",
        params={"date_from": "2027-03-01", "date_to": "2027-03-31"},
        headers=manager,
    )
    backwards = await client.get(
        "/api/v1/accounting/reconciliation",
        params={"date_from": "2027-03-31", "date_to": "2027-03-01"},
        headers=manager,
    )

    assert [p["account_number"] for p in everyone.json()["providers"]] == [
        "467100",
        "467200",
        "467300",
    ]
    assert backwards.status_code == 422
    assert backwards.json()["code"] == "validation_error"


async def test_a_payout_that_failed_before_it_arrived_books_only_its_fees(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    await stripe_deposit(client, fakes)
    made = fakes.stripe.pay_out(date(2027, 3, 17))

    failed = await post_stripe(client, fakes.stripe.fail_payout(made["data"]["object"]["id"]))

    assert failed.json()["outcome"] == "applied"
    [entry] = await bank_entries(client, manager)
    fee = card_fee(2700)
    assert entry["source_kind"] == "payout_failed"
    assert postings(entry) == [(FEES, fee, 0), (STRIPE, 0, fee)]
    # Stripe holds the deposit less its fee, and so does 467200.
    assert await ledger_balance(client, manager, STRIPE, 2027) == 2700 - fee


async def test_the_fec_with_payouts_and_fees_passes_every_rule(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders
) -> None:
    await _paid_out_then_one_more(client, fakes)
    manager = await auth_headers(Role.manager)

    answer = await client.post("/api/v1/accounting/fec/2027", headers=manager)

    assert answer.status_code == 200, answer.text
    [name] = re.findall(r'filename="([^"]+)"', answer.headers["content-disposition"])
    report = validate(name, answer.content, year=2027)
    assert report.ok, report.problems
    assert report.entries == 3  # two deposits and the payout
    assert b"\tBQ000001\t20270317\t512000\t" in answer.content
