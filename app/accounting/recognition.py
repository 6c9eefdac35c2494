"""Prepaid memberships recognised month by month (docs/subscriptions.md, "Accounting"): the
payment's handler notes each invoice whose plan includes services; a daily task posts every
monthly slice whose day has passed (never an entry dated ahead). Each slice is stored once
(its entry's unique `source_key`), and the invoice's row is taken `FOR UPDATE SKIP LOCKED`, so
two workers running at once never post the same invoice twice nor wait on each other. A
slice whose month is locked goes into the next open period, as every posting does."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounting import service, subscription_postings
from app.accounting.models import MembershipRecognition
from app.core.clock import utcnow
from app.subscriptions.public import InvoiceRevenue


async def note(session: AsyncSession, event: InvoiceRevenue) -> None:
    """Remember a prepaid invoice's net and period (once per invoice)."""
    period = subscription_postings.spread(event)
    net = event.amount_cents - event.vat_cents
    if period is None:
        return
    now = utcnow()
    await session.execute(
        insert(MembershipRecognition)
        .values(
            invoice_id=event.invoice_id,
            period_start_at=period[0],
            period_end_at=period[1],
            net_cents=net,
            vat_rate=Decimal(event.vat_rate),
            recognised_cents=0,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["invoice_id"])
    )


async def post_due(session: AsyncSession, today: date) -> int:
    """Post every slice dated before `today` not posted yet; returns how many were posted."""
    rows = await session.scalars(
        select(MembershipRecognition)
        .where(MembershipRecognition.recognised_cents < MembershipRecognition.net_cents)
        .where(MembershipRecognition.period_start_at < utcnow())
        .order_by(MembershipRecognition.period_start_at, MembershipRecognition.invoice_id)
        .with_for_update(skip_locked=True)
    )
    posted = 0
    for row in list(rows):
        done = 0
        for part in subscription_postings.slices(
            row.period_start_at, row.period_end_at, row.net_cents
        ):
            if part.day >= today:
                break
            done += part.cents
            if part.cents and done > row.recognised_cents:
                await service.post(
                    session, subscription_postings.recognised(row.invoice_id, row.vat_rate, part)
                )
                posted += 1
        if done > row.recognised_cents:
            row.recognised_cents, row.updated_at = done, utcnow()
    await session.flush()
    return posted
