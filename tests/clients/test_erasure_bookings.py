"""Erasing a client cancels her bookings that have not started, by the cancellation policy
(docs/clients.md): the time is freed, a deposit is refunded when she is in time and kept
inside the notice period, whether she erases herself or staff do."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.notifications.models import Message
from tests.bookings.salon import paris
from tests.builders import AuthHeaders, sign_up
from tests.fakes.server import FakeProviders
from tests.payments.helpers import (
    NINE,
    hold,
    pay_deposit,
    post_stripe,
    run_outbox,
    salon_with_deposit,
)

OTHER = {"first_name": "Bea", "last_name": "Roux", "email": "bea@example.fr"}


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


async def booked_and_paid(
    client: AsyncClient, fakes: FakeProviders, account: dict[str, str], service: Any
) -> dict[str, Any]:
    """Her own booking of the massage at nine, its 27 € deposit paid by card."""
    booked = await client.post(
        "/api/v1/bookings", json={"service_ids": [str(service)], "start": NINE}, headers=account
    )
    assert booked.status_code == 201, booked.text
    booking = dict(booked.json())
    checkout = await pay_deposit(client, booking)
    assert checkout.status_code == 201, checkout.text
    await post_stripe(client, fakes.stripe.pay(checkout.json()["client_secret"]))
    await run_outbox()
    return booking


async def test_a_client_erasing_herself_cancels_her_paid_booking_and_gets_the_deposit_back(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    massage, _ = await salon_with_deposit(price_cents=9000)
    account = await sign_up(client, "ines@example.fr", "Inès", "Martin")
    booking = await booked_and_paid(client, fakes, account, massage)

    erased = await client.post("/api/v1/me/erase", json={"confirm": True}, headers=account)
    await run_outbox()
    await run_outbox()
    desk = await auth_headers(Role.manager)
    after = (await client.get(f"/api/v1/bookings/{booking['id']}", headers=desk)).json()
    someone_else = await hold(client, massage, who=OTHER)

    assert erased.status_code == 204, erased.text
    assert after["status"] == "cancelled"
    assert [r["amount"] for r in fakes.stripe.refunds.values()] == [2700]
    assert someone_else["start"] == NINE  # her time is free again
    texts = (await session.scalars(select(Message.body_text))).all()
    assert not [t for t in texts if "Inès" in t or "Martin" in t]


async def test_staff_erasing_a_client_inside_the_notice_period_keep_the_deposit(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders
) -> None:
    massage, _ = await salon_with_deposit(price_cents=9000)
    account = await sign_up(client, "ines@example.fr", "Inès", "Martin")
    me = (await client.get("/api/v1/me", headers=account)).json()
    booking = await booked_and_paid(client, fakes, account, massage)
    clock.pin(paris(2027, 3, 21, 18))  # 15 hours before: inside the 24-hour notice
    manager = await auth_headers(Role.manager)

    erased = await client.request(
        "DELETE", f"/api/v1/clients/{me['id']}", json={"confirm": True}, headers=manager
    )
    await run_outbox()
    await run_outbox()
    after = (await client.get(f"/api/v1/bookings/{booking['id']}", headers=manager)).json()
    someone_else = await hold(client, massage, who=OTHER)

    assert erased.status_code == 200, erased.text
    assert (after["status"], after["late_cancellation"]) == ("cancelled", True)
    assert fakes.stripe.refunds == {}  # arrhes kept by the policy
    assert someone_else["start"] == NINE
