"""Payouts: the money a provider sends to the salon's bank, recorded once per provider
reference whoever tells us (Stripe's `payout.paid` webhook, SumUp's payouts list, a manager
reading the bank statement), with the movements it carries matched to our payments and
refunds. Each payout tells the books (`payments.payout_received`, `payments.payout_failed`)
in the transaction that records it (docs/payments.md, "Payouts")."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import outbox
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.ids import new_id
from app.core.timeutils import zone
from app.integrations.gateway import PayoutLineReport, PayoutReport, required
from app.payments import providers, repository
from app.payments.errors import PayoutAlreadyRecorded, PayoutArrivalInFuture, PayoutNotFound
from app.payments.models import (
    Payment,
    PaymentMethod,
    Payout,
    PayoutLine,
    PayoutLineKind,
    PayoutProvider,
    PayoutSource,
    PayoutStatus,
    Refund,
)
from app.payments.topics import TOPIC_PAYOUT_FAILED, TOPIC_PAYOUT_RECEIVED

logger = logging.getLogger(__name__)

# A sale known only by the provider's code (a SumUp payout row): its (client transaction
# id, transaction id), asked of the provider.
Resolver = Callable[[str], Awaitable[tuple[str | None, str | None]]]


@dataclass(frozen=True, slots=True)
class Recorded:
    payout: Payout
    changed: bool  # False: known already, in this state (a replay, a second sync run)


@dataclass(frozen=True, slots=True)
class _Match:
    payment: Payment | None = None
    refund: Refund | None = None


async def record(
    session: AsyncSession,
    provider: PayoutProvider,
    report: PayoutReport,
    *,
    source: PayoutSource,
    fee_cents: int | None = None,
    resolve: Resolver | None = None,
    actor_user_id: UUID | None = None,
    note: str | None = None,
) -> Recorded | None:
    """Record a paid or failed payout once (None for one still on its way). Known already: a
    failure of a paid one reverses it, anything else changes nothing. `fee_cents`: the fees
    when no line carries them (a manager's entry)."""
    if report.status not in {PayoutStatus.paid, PayoutStatus.failed}:
        return None
    known = await _known(session, provider, report.ref)
    if known is not None:
        return await _news(session, known, report)
    lines = [await _line(session, provider, line, resolve) for line in report.lines]
    fee = fee_cents if fee_cents is not None else sum(line.fee_cents for line, _ in lines)
    now = utcnow()
    payout_id = await session.scalar(
        insert(Payout)
        .values(
            id=new_id(),
            provider=provider,
            provider_payout_id=report.ref[:100],
            status=report.status,
            source=source,
            gross_cents=report.net_cents + fee,
            fee_cents=fee,
            net_cents=report.net_cents,
            fees_booked_cents=sum(booked for _, booked in lines),
            currency=report.currency,
            arrival_date=report.arrival_date,
            recorded_by_user_id=actor_user_id,
            note=note,
            created_at=now,
            updated_at=now,
            failed_at=now if report.status == PayoutStatus.failed else None,
        )
        .on_conflict_do_nothing(index_elements=["provider", "provider_payout_id"])
        .returning(Payout.id)
    )
    if payout_id is None:  # recorded by a concurrent delivery or sync in the meantime
        return await _news(
            session, required(await _known(session, provider, report.ref), "it"), report
        )
    for position, (line, _) in enumerate(lines, start=1):
        line.payout_id, line.position = payout_id, position
        session.add(line)
    payout = required(await session.get(Payout, payout_id), "the payout")
    await _tell_the_books(session, payout, arrived=False)
    logger.info(
        "payout recorded",
        extra={"provider": provider, "ref": report.ref, "unmatched": _unmatched(lines)},
    )
    return Recorded(payout, changed=True)


def _unmatched(lines: list[tuple[PayoutLine, int]]) -> int:
    return sum(1 for line, _ in lines if line.payment_id is None)


async def _known(session: AsyncSession, provider: str, ref: str) -> Payout | None:
    return await session.scalar(
        select(Payout)
        .where(Payout.provider == provider, Payout.provider_payout_id == ref[:100])
        .with_for_update()
    )


async def _news(session: AsyncSession, payout: Payout, report: PayoutReport) -> Recorded:
    """A payout we know: only paid -> failed moves it (failed is final)."""
    if payout.status == PayoutStatus.paid and report.status == PayoutStatus.failed:
        now = utcnow()
        payout.status, payout.failed_at, payout.updated_at = PayoutStatus.failed, now, now
        await _tell_the_books(session, payout, arrived=True)
        return Recorded(payout, changed=True)
    return Recorded(payout, changed=False)


async def _tell_the_books(session: AsyncSession, payout: Payout, *, arrived: bool) -> None:
    common = {
        "payout_id": payout.id,
        "provider": payout.provider,
        "reference": payout.provider_payout_id,
        "fee_cents": payout.fee_cents,
        "fees_booked_cents": payout.fees_booked_cents,
        "net_cents": payout.net_cents,
        "currency": payout.currency,
    }
    if payout.status == PayoutStatus.paid:
        await outbox.enqueue(
            session,
            TOPIC_PAYOUT_RECEIVED,
            common
            | {"gross_cents": payout.gross_cents, "arrival_date": payout.arrival_date.isoformat()},
        )
    else:
        failed_at = (payout.failed_at or utcnow()).isoformat()
        await outbox.enqueue(
            session, TOPIC_PAYOUT_FAILED, common | {"arrived": arrived, "failed_at": failed_at}
        )


async def _line(
    session: AsyncSession, provider: str, report: PayoutLineReport, resolve: Resolver | None
) -> tuple[PayoutLine, int]:
    """The line, matched to our payment or refund when its references are ours, and the
    part of its fee the books already have (a fee booked when the payment was taken)."""
    found = await _match(session, provider, report, resolve)
    payment = found.payment
    booked = 0
    if payment is not None and report.kind is PayoutLineKind.charge:
        booked = payment.fee_cents or 0
    line = PayoutLine(
        id=new_id(),
        kind=report.kind,
        provider_ref=report.ref[:100],
        source_ref=(report.source_ref or None) and str(report.source_ref)[:100],
        payment_id=payment.id if payment else None,
        refund_id=found.refund.id if found.refund else None,
        amount_cents=report.amount_cents,
        fee_cents=report.fee_cents,
        net_cents=report.amount_cents - report.fee_cents,
        description=(report.description or None) and str(report.description)[:200],
    )
    return line, booked


async def _match(
    session: AsyncSession, provider: str, line: PayoutLineReport, resolve: Resolver | None
) -> _Match:
    refund = None
    if line.refund_ref:
        refund = await session.scalar(select(Refund).where(Refund.provider_ref == line.refund_ref))
    if refund is not None:
        return _Match(await session.get(Payment, refund.payment_id), refund)
    payment = await _payment(session, provider, line.payment_ref, line.charge_ref)
    if payment is None and resolve is not None and line.source_ref:
        payment = await _payment(session, provider, *await resolve(line.source_ref))
    return _Match(payment)


async def _payment(
    session: AsyncSession, provider: str, ref: str | None, charge_ref: str | None
) -> Payment | None:
    conditions = []
    if ref:
        conditions.append(Payment.provider_ref == ref)
    if charge_ref:
        conditions.append(Payment.provider_charge_ref == charge_ref)
    if not conditions:
        return None
    return await session.scalar(
        select(Payment).where(Payment.provider == provider, or_(*conditions)).limit(1)
    )


async def record_by_staff(
    session: AsyncSession,
    *,
    provider: PayoutProvider,
    reference: str,
    arrived_on: date,
    net_cents: int,
    fee_cents: int,
    note: str | None,
    actor_user_id: UUID,
) -> Payout:
    """A payout a manager reads on the bank statement (a PayPal withdrawal): no line, the
    fees she gives (PayPal's, already booked at capture, are not in them)."""
    if arrived_on > utcnow().astimezone(zone()).date():
        raise PayoutArrivalInFuture("A payout is recorded once it is on the bank statement.")
    if await _known(session, provider, reference) is not None:
        raise PayoutAlreadyRecorded(f"{provider} payout {reference} is already recorded.")
    report = PayoutReport(
        ref=reference,
        status=PayoutStatus.paid,
        net_cents=net_cents,
        currency=get_settings().salon.currency,
        arrival_date=arrived_on,
    )
    recorded = await record(
        session,
        provider,
        report,
        source=PayoutSource.staff,
        fee_cents=fee_cents,
        actor_user_id=actor_user_id,
        note=note,
    )
    if recorded is None or not recorded.changed:
        raise PayoutAlreadyRecorded(f"{provider} payout {reference} is already recorded.")
    return recorded.payout


@dataclass(frozen=True, slots=True)
class Synced:
    seen: int  # payouts the provider listed (paid or failed)
    recorded: int  # new, or newly failed


async def sync(
    session: AsyncSession, provider: PayoutProvider, *, start: date, end: date
) -> Synced:
    """Read a provider's payouts between two dates (inclusive) and record each once: run it
    twice, or over overlapping windows, and nothing is recorded twice. SumUp only: Stripe
    tells us by webhook, PayPal's withdrawals are entered by a manager."""
    if provider is not PayoutProvider.sumup:
        raise ValueError(f"{provider} payouts are not read by a sync")
    adapter = providers.terminal()
    seen = recorded = 0
    for report in await adapter.payouts(start, end):
        result = await record(
            session,
            provider,
            report,
            source=PayoutSource.sync,
            resolve=adapter.transaction_refs,
        )
        seen += result is not None
        recorded += bool(result and result.changed)
    return Synced(seen=seen, recorded=recorded)


async def payout_with_lines(
    session: AsyncSession, payout_id: UUID
) -> tuple[Payout, list[PayoutLine]]:
    payout = await session.get(Payout, payout_id)
    if payout is None:
        raise PayoutNotFound()
    return payout, (await repository.payout_lines(session, [payout.id]))[payout.id]


# --- what the books read (through public.py) -----------------------------------------------

# The payment methods whose money each provider holds until it pays out.
METHODS = {
    PayoutProvider.stripe: (PaymentMethod.stripe,),
    PayoutProvider.sumup: (PaymentMethod.sumup_terminal,),
    PayoutProvider.paypal: (PaymentMethod.paypal,),
}


@dataclass(frozen=True, slots=True)
class PayoutLineView:
    kind: str
    provider_ref: str
    source_ref: str | None
    payment_id: UUID | None
    refund_id: UUID | None
    amount_cents: int
    fee_cents: int
    net_cents: int


@dataclass(frozen=True, slots=True)
class PayoutView:
    id: UUID
    provider: str
    reference: str
    status: str
    gross_cents: int
    fee_cents: int
    fees_booked_cents: int
    net_cents: int
    currency: str
    arrival_date: date
    lines: tuple[PayoutLineView, ...]


@dataclass(frozen=True, slots=True)
class PaymentNotPaidOut:
    payment_id: UUID
    method: str
    amount_cents: int
    refunded_cents: int
    succeeded_at: datetime


async def payouts_arrived(
    session: AsyncSession, provider: PayoutProvider, date_from: date, date_to: date
) -> list[PayoutView]:
    """A provider's payouts that arrived (or were due to) between two dates, with lines."""
    found = list(
        await session.scalars(
            repository.payouts_query(
                provider=provider, status=None, date_from=date_from, date_to=date_to
            ).order_by(Payout.arrival_date, Payout.created_at)
        )
    )
    lines = await repository.payout_lines(session, [payout.id for payout in found])
    return [_view(payout, lines[payout.id]) for payout in found]


def _view(payout: Payout, lines: list[PayoutLine]) -> PayoutView:
    return PayoutView(
        id=payout.id,
        provider=payout.provider,
        reference=payout.provider_payout_id,
        status=payout.status,
        gross_cents=payout.gross_cents,
        fee_cents=payout.fee_cents,
        fees_booked_cents=payout.fees_booked_cents,
        net_cents=payout.net_cents,
        currency=payout.currency,
        arrival_date=payout.arrival_date,
        lines=tuple(
            PayoutLineView(
                kind=line.kind,
                provider_ref=line.provider_ref,
                source_ref=line.source_ref,
                payment_id=line.payment_id,
                refund_id=line.refund_id,
                amount_cents=line.amount_cents,
                fee_cents=line.fee_cents,
                net_cents=line.net_cents,
            )
            for line in lines
        ),
    )


async def payments_not_paid_out(
    session: AsyncSession, provider: PayoutProvider, start: datetime, end: datetime
) -> list[PaymentNotPaidOut]:
    """The provider's payments taken in [start, end) that no paid payout carried yet."""
    rows = await session.scalars(
        repository.not_paid_out(METHODS[provider], start=start, end=end).order_by(
            Payment.succeeded_at, Payment.id
        )
    )
    return [
        PaymentNotPaidOut(
            payment_id=row.id,
            method=row.method,
            amount_cents=row.amount_cents,
            refunded_cents=row.refunded_cents,
            succeeded_at=required(row.succeeded_at, "the time it was taken"),
        )
        for row in rows
    ]
