"""SumUp sends no payout webhook: its payouts list is read (the daily task, the CLI) and each
payout recorded once however often it is read. PayPal reports its fee in the capture: booked
then, and never again when a manager records the withdrawal she reads on the statement."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.payments import tasks
from tests.accounting.helpers import balanced, entries, postings
from tests.builders import AuthHeaders
from tests.factories.core import paris, run_outbox
from tests.factories.payments import payment
from tests.fakes.paypal import paypal_fee
from tests.fakes.server import FakeProviders
from tests.payouts.helpers import (
    BANK,
    FEES,
    PAYPAL,
    SUMUP,
    bank_entries,
    ledger_balance,
    payouts,
    paypal_deposit,
    reader_sale,
)


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


async def test_the_sumup_sync_run_twice_records_each_payout_once(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    sale = await reader_sale(client, fakes, manager)  # 60 € on the reader
    code = fakes.sumup.code_of(sale)
    reference = fakes.sumup.pay_out(date(2027, 3, 16), [(code, 114), ("TUNKNOWN01", 20)])
    clock.travel(timedelta(days=2))

    first = await tasks.sync_payouts()
    second = await tasks.sync_payouts()

    assert (first, second) == (1, 0)
    listed = [r for r in fakes.sumup.requests if r[1].endswith("/payouts")]
    assert [(q["start_date"], q["end_date"]) for _, _, q in listed] == [
        ("2027-03-10", "2027-03-17")
    ] * 2
    manager = await auth_headers(Role.manager)
    [payout] = await payouts(client, manager, provider="sumup")
    assert (payout["reference"], payout["source"]) == (f"2027-03-16/{reference}", "sync")
    # SumUp's amount is what reached the bank for each sale, its fee what it kept.
    assert (payout["gross_cents"], payout["fee_cents"], payout["net_cents"]) == (
        6000 + 1000,
        134,
        6000 + 1000 - 134,
    )
    detail = await client.get(f"/api/v1/payments/payouts/{payout['id']}", headers=manager)
    ours, unknown = detail.json()["lines"]
    taken = await payment(session, (await _sumup_payment_id(session, sale)))
    assert (ours["payment_id"], ours["source_ref"], ours["matched"]) == (str(taken.id), code, True)
    assert (unknown["source_ref"], unknown["matched"]) == ("TUNKNOWN01", False)

    [entry] = await bank_entries(client, manager)
    assert balanced(entry)
    assert entry["entry_date"] == "2027-03-16"
    assert postings(entry) == [(BANK, 7000 - 134, 0), (FEES, 134, 0), (SUMUP, 0, 7000)]


async def _sumup_payment_id(session: AsyncSession, provider_ref: str) -> str:
    from sqlalchemy import select

    from app.payments.models import Payment

    found = await session.scalar(select(Payment.id).where(Payment.provider_ref == provider_ref))
    assert found is not None
    return str(found)


async def test_paypal_s_fee_is_booked_at_capture_once_and_not_again_at_the_withdrawal(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    payment_id = await paypal_deposit(client, fakes)  # captured by the site, then the webhook
    await run_outbox()
    fee = paypal_fee(2700)

    assert (await payment(session, payment_id)).fee_cents == fee
    taken, charged = await entries(client, manager, journal="PP")
    assert postings(taken) == [(PAYPAL, 2700, 0), ("419100", 0, 2700)]
    assert (charged["source_kind"], charged["payment_id"]) == ("provider_fee", payment_id)
    assert postings(charged) == [(FEES, fee, 0), (PAYPAL, 0, fee)]

    recorded = await client.post(
        "/api/v1/payments/payouts",
        json={
            "provider": "paypal",
            "reference": "RETRAIT PAYPAL 16/03",
            "arrived_on": "2027-03-15",
            "net_cents": 2700 - fee,
        },
        headers=manager,
    )

    assert recorded.status_code == 201, recorded.text
    assert (recorded.json()["fee_cents"], recorded.json()["source"]) == (0, "staff")
    assert recorded.json()["lines"] == []
    [withdrawal] = await bank_entries(client, manager)
    assert postings(withdrawal) == [(BANK, 2700 - fee, 0), (PAYPAL, 0, 2700 - fee)]
    assert await ledger_balance(client, manager, PAYPAL, 2027) == 0
    assert await ledger_balance(client, manager, FEES, 2027) == fee  # once


async def test_a_withdrawal_with_its_own_fee_books_it(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    recorded = await client.post(
        "/api/v1/payments/payouts",
        json={
            "provider": "paypal",
            "reference": "RETRAIT-2",
            "arrived_on": "2027-03-14",
            "net_cents": 10000,
            "fee_cents": 150,
        },
        headers=manager,
    )

    assert recorded.status_code == 201, recorded.text
    assert (recorded.json()["gross_cents"], recorded.json()["arrival_date"]) == (
        10150,
        "2027-03-14",
    )
    [entry] = await bank_entries(client, manager)
    assert entry["entry_date"] == "2027-03-14"
    assert postings(entry) == [(BANK, 10000, 0), (FEES, 150, 0), (PAYPAL, 0, 10150)]


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        pytest.param({"provider": "wise"}, 422, "validation_error", id="unknown provider"),
        pytest.param({"net_cents": -100}, 422, "validation_error", id="negative net"),
        pytest.param({"net_cents": 0}, 422, "validation_error", id="nothing arrived"),
        pytest.param({"fee_cents": -1}, 422, "validation_error", id="negative fee"),
        pytest.param({"reference": ""}, 422, "validation_error", id="no reference"),
        pytest.param(
            {"arrived_on": "2027-03-16"}, 422, "payout_arrival_in_future", id="not arrived yet"
        ),
        pytest.param({}, 409, "payout_already_recorded", id="the same reference again"),
    ],
)
async def test_a_manual_payout_with_bad_input_changes_nothing(
    client: AsyncClient,
    auth_headers: AuthHeaders,
    change: dict[str, object],
    status: int,
    code: str,
) -> None:
    manager = await auth_headers(Role.manager)
    body = {"provider": "paypal", "reference": "RETRAIT-1", "arrived_on": "2027-03-14"}
    body |= {"net_cents": 5000}
    first = await client.post("/api/v1/payments/payouts", json=body, headers=manager)
    assert first.status_code == 201, first.text
    await run_outbox()

    refused = await client.post("/api/v1/payments/payouts", json=body | change, headers=manager)

    assert refused.status_code == status, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == code
    assert [p["id"] for p in await payouts(client, manager)] == [first.json()["id"]]
    assert len(await bank_entries(client, manager)) == 1


@pytest.mark.parametrize("role", [Role.receptionist, Role.practitioner])
async def test_only_managers_see_payouts_and_the_reconciliation(
    client: AsyncClient, auth_headers: AuthHeaders, role: Role
) -> None:
    manager = await auth_headers(Role.manager)
    made = await client.post(
        "/api/v1/payments/payouts",
        json={
            "provider": "sumup",
            "reference": "X-1",
            "arrived_on": "2027-03-14",
            "net_cents": 100,
        },
        headers=manager,
    )
    assert made.status_code == 201, made.text
    staff = await auth_headers(role)
    body = {"provider": "sumup", "reference": "X-2", "arrived_on": "2027-03-14", "net_cents": 100}

    answers = [
        await client.get("/api/v1/payments/payouts", headers=staff),
        await client.get(f"/api/v1/payments/payouts/{made.json()['id']}", headers=staff),
        await client.post("/api/v1/payments/payouts", json=body, headers=staff),
        await client.get(
            "/api/v1/accounting/reconciliation",
            params={"date_from": "2027-03-01", "date_to": "2027-03-31"},
            headers=staff,
        ),
    ]

    assert [a.status_code for a in answers] == [403] * 4
    assert len(await payouts(client, manager)) == 1
