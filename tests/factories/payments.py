"""Payments: a salon with a 30 % deposit service, a deposit's checkout, provider webhooks
signed as the providers sign them, and reading a payment back."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.payments.models import Payment, PaymentLog
from tests.factories.availability import open_salon
from tests.factories.bookings import hold
from tests.factories.catalog import make_service
from tests.factories.core import paris
from tests.factories.practitioners import make_practitioner
from tests.fakes.server import FakeProviders

A_WEEK_BEFORE = paris(2027, 3, 15, 8)


async def salon_with_deposit(price_cents: int = 9000) -> tuple[UUID, UUID]:
    """A massage asking 30 % in advance, and Camille who does it: (service, practitioner)."""
    await open_salon()
    massage = await make_service(
        "Massage", minutes=60, price_cents=price_cents, deposit_percent="30"
    )
    camille = await make_practitioner("Camille", [massage])
    return massage, camille


async def pay_deposit(
    client: AsyncClient, booking: dict[str, Any], method: str = "stripe", **extra: Any
) -> Response:
    body = {"booking_id": booking["id"], "method": method, "token": booking["manage_token"]}
    return await client.post("/api/v1/payments/deposits", json=body | extra)


async def held_with_checkout(
    client: AsyncClient, *, method: str = "stripe", price_cents: int = 9000
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A massage held online for its 30 % deposit, and the deposit's checkout just opened."""
    massage, _ = await salon_with_deposit(price_cents=price_cents)
    booking = await hold(client, massage)
    started = await pay_deposit(client, booking, method=method)
    assert started.status_code == 201, started.text
    return booking, dict(started.json())


async def post_stripe(
    client: AsyncClient, event: dict[str, Any], *, at: int | None = None, secret: str | None = None
) -> Response:
    from tests.fakes.stripe import WEBHOOK_SECRET, FakeStripe

    body, header = FakeStripe.signed(
        event, at=at or int(utcnow().timestamp()), secret=secret or WEBHOOK_SECRET
    )
    return await client.post(
        "/api/v1/webhooks/stripe",
        content=body,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )


async def post_paypal(
    client: AsyncClient, fakes: FakeProviders, event: dict[str, Any], *, forged: bool = False
) -> Response:
    return await client.post(
        "/api/v1/webhooks/paypal",
        json=event,
        headers=fakes.paypal.headers_for(event, forged=forged),
    )


async def status_changes(session: AsyncSession, payment_id: UUID) -> list[str]:
    rows = await session.scalars(
        select(PaymentLog.to_status)
        .where(PaymentLog.payment_id == payment_id, PaymentLog.kind == "status")
        .order_by(PaymentLog.at, PaymentLog.id)
    )
    return [str(r) for r in rows]


async def payment(session: AsyncSession, payment_id: str | UUID) -> Payment:
    session.expire_all()
    row = await session.get(Payment, UUID(str(payment_id)))
    assert row is not None
    return row
