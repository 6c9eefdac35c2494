"""What a booking owes and what was given back are two numbers: a refund of money taken at
the salon is not a new debt."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from tests.bookings.salon import book_by_staff, facial_with_camille, paris
from tests.builders import AuthHeaders
from tests.fakes.server import FakeProviders
from tests.payments.helpers import held_with_checkout, post_stripe, run_outbox

NINE = "2027-03-22T09:00:00+01:00"


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


async def test_a_partial_refund_of_a_balance_paid_in_the_salon_is_not_due_again(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    desk = await auth_headers(Role.manager)
    facial, _ = await facial_with_camille(price_cents=6000)
    booking = await book_by_staff(client, desk, [facial], NINE)
    paid = await client.post(
        "/api/v1/payments/in-person",
        json={"booking_id": booking["id"], "method": "cash"},
        headers=desk,
    )
    assert paid.status_code == 201, paid.text

    refund = await client.post(
        f"/api/v1/payments/{paid.json()['id']}/refunds",
        json={"amount_cents": 1500, "reason": "Geste commercial"},
        headers=desk,
    )
    balance = await client.get(f"/api/v1/bookings/{booking['id']}/balance", headers=desk)
    again = await client.post(
        "/api/v1/payments/in-person",
        json={"booking_id": booking["id"], "method": "cash"},
        headers=desk,
    )

    assert refund.status_code == 201, refund.text
    figures = balance.json()
    assert figures["due_cents"] == 0
    assert (figures["paid_cents"], figures["refunded_cents"], figures["kept_cents"]) == (
        6000,
        1500,
        4500,
    )
    assert (again.status_code, again.json()["code"]) == (409, "nothing_to_pay")


async def test_a_cancelled_booking_whose_deposit_went_back_owes_nothing(
    client: AsyncClient, auth_headers: AuthHeaders, fakes: FakeProviders
) -> None:
    desk = await auth_headers(Role.manager)
    booking, checkout = await held_with_checkout(client, price_cents=9000)
    await post_stripe(client, fakes.stripe.pay(checkout["client_secret"]))

    cancelled = await client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={}, headers=desk)
    await run_outbox()  # cancelled in time: the deposit goes back
    deposit = await client.get(f"/api/v1/payments/{checkout['payment_id']}", headers=desk)
    balance = await client.get(f"/api/v1/bookings/{booking['id']}/balance", headers=desk)

    assert cancelled.status_code == 200, cancelled.text
    assert deposit.json()["status"] == "refunded"
    figures = balance.json()
    assert (figures["paid_cents"], figures["due_cents"], figures["kept_cents"]) == (0, 0, 0)
