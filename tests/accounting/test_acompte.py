"""An acompte (booking rules' deposit_policy "acompte") is a part payment of the service: its
VAT is due when it is received (CGI 269-2-c), never again at the ticket of the visit; a
refund gives it back, a kept acompte does not collect it twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select, update

from app.auth.models import Role
from app.core import clock
from app.core.db import unit_of_work
from app.core.outbox import OutboxEvent
from tests.accounting.helpers import balanced, booked_and_deposit_paid, entries, postings
from tests.builders import AuthHeaders
from tests.factories.core import paris, run_outbox
from tests.factories.payments import held_with_checkout, post_stripe
from tests.fakes.server import FakeProviders
from tests.sales.orders_helpers import complete, new_order, open_till, tender

CASH, STRIPE, DEPOSITS = "530000", "467200", "419100"
SERVICES_20, VAT_20 = "706100", "445711"


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


async def _acompte(client: AsyncClient, manager: dict[str, str]) -> None:
    saved = await client.put(
        "/api/v1/settings/booking-rules",
        json={
            "slot_interval_minutes": 15,
            "min_lead_time_minutes": 120,
            "max_advance_days": 90,
            "hold_minutes": 15,
            "cancellation_notice_hours": 24,
            "home_travel_fee_cents": 1500,
            "deposit_policy": "acompte",
        },
        headers=manager,
    )
    assert saved.status_code == 200, saved.text


def _vat(found: list[dict[str, Any]]) -> int:
    """What the 445711 account holds: VAT collected, less given back."""
    return sum(
        x["credit_cents"] - x["debit_cents"]
        for e in found
        for x in e["lines"]
        if x["account_number"] == VAT_20
    )


async def test_an_acompte_collects_its_vat_at_receipt_and_the_ticket_not_again(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    await _acompte(client, manager)
    booking = await booked_and_deposit_paid(client, fakes)  # 27 € of a 90 € + 60 € visit
    await run_outbox()
    [paid] = await entries(client, manager)
    assert paid["label"] == "Acompte réservation"
    # 27 € = 22,50 € + 4,50 € of VAT at 20 %, due now.
    assert postings(paid) == [(STRIPE, 2700, 0), (DEPOSITS, 0, 2250), (VAT_20, 0, 450)]

    clock.pin(paris(2027, 3, 22, 10, 30))
    manager = await auth_headers(Role.manager)
    await open_till(client, manager)
    order = await new_order(client, manager, booking_id=booking["id"])
    await tender(client, manager, order["id"], method="cash", amount_cents=12300)
    await complete(client, manager, order["id"])
    await run_outbox()
    await run_outbox()

    found = await entries(client, manager)
    assert all(balanced(e) for e in found)
    ticket = next(e for e in found if e["source_kind"] == "ticket")
    # The 27 € of the acompte leave 4191 without their VAT, which 44571 gives back: the
    # ticket collects the 25 € of the visit's 150 € once.
    assert postings(ticket) == [
        (DEPOSITS, 2250, 0),
        (VAT_20, 450, 0),
        (CASH, 12300, 0),
        (SERVICES_20, 0, 12500),
        (VAT_20, 0, 2500),
    ]
    assert _vat(found) == 2500  # the ticket's VAT, not 25 € + 4,50 €
    deposits = sum(
        x["credit_cents"] - x["debit_cents"]
        for e in found
        for x in e["lines"]
        if x["account_number"] == DEPOSITS
    )
    assert deposits == 0
    report = await client.get(
        "/api/v1/accounting/vat-report", params={"year": 2027, "month": 3}, headers=manager
    )
    body = report.json()
    line = next(x for x in body["lines"] if x["box"] == "08")
    assert (line["base_cents"], line["vat_cents"]) == (12500, 2500)
    assert body["vat_collected_cents"] == _vat(found)


async def _cancelled(client: AsyncClient, fakes: FakeProviders, *, late: bool) -> None:
    booking, checkout = await held_with_checkout(client)  # 27 € of a 90 € massage
    assert (await post_stripe(client, fakes.stripe.pay(checkout["client_secret"]))).is_success
    if late:
        clock.travel(timedelta(days=6, hours=14))
    cancelled = await client.post(
        f"/api/v1/bookings/manage/{booking['manage_token']}/cancel", json={"reason": "Imprévu"}
    )
    assert cancelled.json()["late_cancellation"] is late
    await run_outbox()
    await run_outbox()


async def test_an_acompte_refunded_gives_its_vat_back(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders
) -> None:
    await _acompte(client, await auth_headers(Role.manager))
    await _cancelled(client, fakes, late=False)

    found = await entries(client, await auth_headers(Role.manager))
    assert all(balanced(e) for e in found)
    refunded = next(e for e in found if e["source_kind"] == "refund")
    assert postings(refunded) == [(DEPOSITS, 2250, 0), (VAT_20, 450, 0), (STRIPE, 0, 2700)]
    assert _vat(found) == 0
    quarter = await client.get(
        "/api/v1/accounting/vat-report",
        params={"year": 2027, "quarter": 1},
        headers=await auth_headers(Role.manager),
    )
    line = next(x for x in quarter.json()["lines"] if x["box"] == "08")
    assert (line["base_cents"], line["vat_cents"]) == (0, 0)  # the refund's base is minus
    assert quarter.json()["vat_collected_cents"] == 0


async def test_an_acompte_kept_is_revenue_without_collecting_its_vat_twice(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders
) -> None:
    await _acompte(client, await auth_headers(Role.manager))
    await _cancelled(client, fakes, late=True)

    manager = await auth_headers(Role.manager)
    found = await entries(client, manager)
    assert all(balanced(e) for e in found)
    kept = next(e for e in found if e["source_kind"] == "deposit_kept")
    assert kept["label"] == "Acompte conservé"
    assert postings(kept) == [(DEPOSITS, 2250, 0), (SERVICES_20, 0, 2250)]
    assert _vat(found) == 450
    quarter = await client.get(
        "/api/v1/accounting/vat-report", params={"year": 2027, "quarter": 1}, headers=manager
    )
    line = next(x for x in quarter.json()["lines"] if x["box"] == "08")
    assert (line["base_cents"], line["vat_cents"]) == (2250, 450)
    assert quarter.json()["vat_collected_cents"] == 450


async def test_a_refund_handled_before_its_payment_waits_for_it(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders
) -> None:
    """Two workers: the refund's event comes up while the payment's is still to be handled.
    Read then, the books would not know the acompte's VAT was collected and would not give it
    back; the refund waits (retried) until the payment is in the books."""
    await _acompte(client, await auth_headers(Role.manager))
    booking, checkout = await held_with_checkout(client)
    assert (await post_stripe(client, fakes.stripe.pay(checkout["client_secret"]))).is_success
    cancelled = await client.post(
        f"/api/v1/bookings/manage/{booking['manage_token']}/cancel", json={"reason": "Imprévu"}
    )
    assert cancelled.json()["late_cancellation"] is False
    async with unit_of_work() as session:
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.subscriber == "accounting.post_payment")
            .values(available_at=clock.utcnow() + timedelta(minutes=10))
        )
    for _ in range(3):  # the automatic refund, then its event
        await run_outbox()
    manager = await auth_headers(Role.manager)
    assert await entries(client, manager) == []  # the refund waited
    async with unit_of_work() as session:
        waiting = await session.scalar(
            select(OutboxEvent).where(OutboxEvent.subscriber == "accounting.post_refund")
        )
    assert waiting is not None
    assert (waiting.status, waiting.attempts) == ("pending", 1)
    assert "not in the books yet" in (waiting.last_error or "")

    for _ in range(4):
        clock.travel(timedelta(minutes=10))
        await run_outbox()
    found = await entries(client, await auth_headers(Role.manager))
    assert sorted(e["source_kind"] for e in found) == ["payment", "refund"]
    refunded = next(e for e in found if e["source_kind"] == "refund")
    assert postings(refunded) == [(DEPOSITS, 2250, 0), (VAT_20, 450, 0), (STRIPE, 0, 2700)]
    assert _vat(found) == 0
