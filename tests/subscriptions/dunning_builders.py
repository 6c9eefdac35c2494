"""A member and her failed renewal, for the dunning's tests: rows of the core's tables, and
the core's outbox topics published as its webhook handling publishes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import outbox
from app.core.clock import utcnow
from app.core.db import unit_of_work
from app.core.ids import new_id
from app.core.timeutils import zone
from app.notifications.models import Message
from app.subscriptions import public as subscriptions
from app.subscriptions.dunning_models import DunningCase, DunningStep
from app.subscriptions.models import (
    Subscription,
    SubscriptionEvent,
    SubscriptionInvoice,
    SubscriptionPlan,
)
from tests.factories.auth import AuthHeaders, sign_up
from tests.factories.bookings import facial_with_camille
from tests.factories.clients import make_client
from tests.factories.core import run_outbox
from tests.factories.notifications import deliver_messages
from tests.fakes.server import FakeProviders
from tests.subscriptions.helpers import make_plan, post_all, subscribed_and_paid

PLAN = "Abonnement soins visage"


@dataclass(frozen=True)
class Member:
    client_id: UUID
    subscription_id: UUID


async def member(
    *, email: str = "helene.abonnee@example.fr", phone: str = "+33612345678"
) -> Member:
    client_id = await make_client("Hélène", email=email, phone=phone)
    now = utcnow()
    async with unit_of_work() as session:
        plan = SubscriptionPlan(
            id=new_id(),
            name=PLAN,
            interval="month",
            price_cents=3900,
            vat_rate=Decimal("20.00"),
            created_at=now,
            updated_at=now,
        )
        session.add(plan)
        await session.flush()
        subscription = Subscription(
            id=new_id(),
            client_id=client_id,
            plan_id=plan.id,
            status="active",
            channel="online",
            stripe_subscription_id=f"sub_{new_id().hex[:14]}",
            stripe_customer_id=f"cus_{new_id().hex[:14]}",
            created_at=now,
            updated_at=now,
        )
        session.add(subscription)
    return Member(client_id, subscription.id)


async def renewal_invoice(who: Member, *, amount_cents: int = 3900) -> tuple[UUID, str]:
    now = utcnow()
    invoice = SubscriptionInvoice(
        id=new_id(),
        subscription_id=who.subscription_id,
        stripe_invoice_id=f"in_{new_id().hex[:14]}",
        status="failed",
        billing_reason="subscription_cycle",
        amount_cents=amount_cents,
        vat_rate=Decimal("20.00"),
        created_at=now,
        updated_at=now,
    )
    async with unit_of_work() as session:
        session.add(invoice)
    return invoice.id, invoice.stripe_invoice_id


async def publish(topic: Any, payload: dict[str, Any]) -> None:
    async with unit_of_work() as session:
        await outbox.enqueue(session, topic, payload)
    await run_outbox()


async def renewal_failed(
    who: Member, invoice: tuple[UUID, str], decline_code: str | None, at: datetime
) -> None:
    await publish(
        subscriptions.TOPIC_RENEWAL_FAILED,
        {
            "subscription_id": who.subscription_id,
            "invoice_id": invoice[0],
            "stripe_invoice_id": invoice[1],
            "amount_cents": 3900,
            "decline_code": decline_code,
            "failed_at": at.isoformat(),
        },
    )


async def invoice_paid(who: Member, invoice: tuple[UUID, str], at: datetime) -> None:
    await publish(
        subscriptions.TOPIC_INVOICE_PAID,
        {
            "subscription_id": who.subscription_id,
            "invoice_id": invoice[0],
            "stripe_invoice_id": invoice[1],
            "amount_cents": 3900,
            "paid_at": at.isoformat(),
        },
    )


async def cases(session: AsyncSession, who: Member) -> list[DunningCase]:
    return list(
        await session.scalars(
            select(DunningCase)
            .where(DunningCase.subscription_id == who.subscription_id)
            .order_by(DunningCase.failed_at)
            .execution_options(populate_existing=True)
        )
    )


async def steps(session: AsyncSession, case: DunningCase) -> dict[str, dict[str, Any]]:
    rows = await session.scalars(select(DunningStep).where(DunningStep.case_id == case.id))
    return {row.step: row.detail for row in rows}


async def timeline(session: AsyncSession, who: Member) -> list[str]:
    return list(
        await session.scalars(
            select(SubscriptionEvent.kind)
            .where(SubscriptionEvent.subscription_id == who.subscription_id)
            .order_by(SubscriptionEvent.at, SubscriptionEvent.id)
        )
    )


async def messages(session: AsyncSession, **where: Any) -> list[Message]:
    statement = select(Message).order_by(Message.created_at, Message.channel)
    for name, value in where.items():
        statement = statement.where(getattr(Message, name) == value)
    return list(await session.scalars(statement.execution_options(populate_existing=True)))


# ---- through the API and the fake Stripe -----------------------------------------------

EMAIL = "ines.relance@example.fr"


async def failed_renewal(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders, code: str
) -> tuple[str, str, UUID]:
    """Inès's membership, paid once; its renewal declined with `code`: (ours, Stripe's, facial)."""
    manager = await auth_headers(Role.manager)
    facial, _ = await facial_with_camille(6000)
    plan = await make_plan(client, manager, [facial])
    ines = await sign_up(client, EMAIL, "Inès", "Martin")
    ours, ref = await subscribed_and_paid(client, fakes, ines, plan)
    await post_all(client, fakes.stripe.renew(ref, decline_code=code))
    await run_outbox()
    await deliver_messages()  # her welcome, before the dunning's days are counted
    return ours, ref, facial


async def the_case(session: AsyncSession, ours: str) -> DunningCase:
    return (
        await session.scalars(
            select(DunningCase)
            .where(DunningCase.subscription_id == UUID(ours))
            .execution_options(populate_existing=True)
        )
    ).one()


def day(failed_at: datetime, n: int) -> datetime:
    """Noon, local time, on day J+n."""
    local = failed_at.astimezone(zone()).date() + timedelta(days=n)
    return datetime(local.year, local.month, local.day, 12, tzinfo=zone())


def pays(fakes: FakeProviders) -> list[dict[str, Any]]:
    return [body for path, body in _calls(fakes) if path.endswith("/pay")]


def _calls(fakes: FakeProviders) -> list[tuple[str, dict[str, Any]]]:
    return [(r[1], r[2]) for r in fakes.stripe.requests]
