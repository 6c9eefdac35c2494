"""Loyalty use cases that follow other domains: points earned by a till ticket or by a visit
paid online and completed outside the till, taken back by a credit ticket or a refund, and
points for an action (first online booking, a verified review, a birthday).

Reversal maths (docs/loyalty.md, "Refunds"): a sale earned P points on an amount B (the
ticket's total, or the money paid online for a booking). Each refund or credit ticket adds
its amount to what was given back so far, C (never above B); the points taken back so far
become floor(P * C / B), so a full refund takes back exactly P, partial ones never more, and
the client keeps the rounding until the last cent is refunded. A reversal the balance cannot
pay (the points were spent) takes what is there and records the rest as a shortfall: the
balance never goes below zero."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import public as bookings
from app.clients import public as clients
from app.core.clock import utcnow
from app.core.db import unit_of_work
from app.core.timeutils import zone
from app.loyalty import earning, ledger, messages
from app.loyalty.earning import SaleLine
from app.loyalty.models import Action, EntryKind, LoyaltyEntry, LoyaltyMember, Tier
from app.payments import public as payments
from app.sales import public as sales


async def tier_multiplier(session: AsyncSession, member: LoyaltyMember) -> Decimal:
    if member.tier_id is None:
        return Decimal(1)
    tier = await session.get(Tier, member.tier_id)
    return tier.multiplier if tier is not None else Decimal(1)


async def _earn(
    session: AsyncSession,
    member: LoyaltyMember,
    *,
    source_key: str,
    source_kind: str,
    source_id: UUID,
    lines: list[SaleLine],
    money_cents: int,
    base_cents: int,
    visit: bool,
) -> LoyaltyEntry | None:
    if await ledger.already(session, source_key) is not None:
        return None
    now = utcnow()
    earned = await earning.points_for_sale(
        session,
        lines=lines,
        money_cents=money_cents,
        visit=visit,
        at=now,
        tier_multiplier=await tier_multiplier(session, member),
    )
    if earned.points <= 0:
        return None
    entry = await ledger.add_grant(
        session,
        member,
        EntryKind.earned,
        earned.points,
        source_key=source_key,
        source_kind=source_kind,
        source_id=source_id,
        base_cents=base_cents,
        visit=visit,
    )
    if entry is not None and visit:
        await messages.points_earned(session, member, entry)
    return entry


async def _online_booking_bonus(
    session: AsyncSession, member: LoyaltyMember, booking: bookings.PayableBooking
) -> None:
    if booking.source == "online":
        await grant_action(session, member.client_id, Action.first_online_booking, key="first")


async def earn_from_ticket(session: AsyncSession, ticket: sales.TicketIssued) -> None:
    """A ticket of a named client earns on the money its tenders took (not gift cards')."""
    if ticket.client_id is None or ticket.kind != "ticket" or ticket.total_incl_vat_cents <= 0:
        return
    member = await ledger.lock_member(session, ticket.client_id)
    await earning.ensure_defaults(session)
    methods_left_out = {"gift_card"}
    visit = ticket.booking_id is not None or any(line.kind == "service" for line in ticket.lines)
    earned_online = ticket.booking_id is not None and (
        await ledger.already(session, f"booking:{ticket.booking_id}") is not None
    )
    if earned_online:  # the visit earned when it was completed, with what was paid online
        methods_left_out.add("deposit")
        visit = False
    money = sum(t.amount_cents for t in ticket.tenders if t.method not in methods_left_out)
    lines = [SaleLine(line.kind, line.item_id, line.amount_incl_vat_cents) for line in ticket.lines]
    entry = await _earn(
        session,
        member,
        source_key=f"ticket:{ticket.order_id}",
        source_kind="ticket",
        source_id=ticket.order_id,
        lines=lines,
        money_cents=money,
        base_cents=ticket.total_incl_vat_cents,
        visit=visit,
    )
    if entry is not None and ticket.booking_id is not None:
        booking = await bookings.payable_booking(session, ticket.booking_id)
        await _online_booking_bonus(session, member, booking)


async def earn_from_completed_visit(session: AsyncSession, booking_id: UUID) -> None:
    """A visit completed outside the till earns on what was paid online for it; one that
    went through the till (`order_id`) earns with its ticket instead, never twice."""
    booking = await bookings.payable_booking(session, booking_id)
    if booking.order_id is not None:
        return
    kept = await payments.kept_payments(session, "booking", booking_id)
    money = sum(k.kept_cents for k in kept if k.method != "gift_card")
    if money <= 0:
        return  # nothing taken in money yet: the ticket that takes it will earn
    member = await ledger.lock_member(session, booking.client_id)
    await earning.ensure_defaults(session)
    lines = [SaleLine("service", service_id, price) for service_id, price in booking.service_lines]
    entry = await _earn(
        session,
        member,
        source_key=f"booking:{booking_id}",
        source_kind="booking",
        source_id=booking_id,
        lines=lines,
        money_cents=money,
        base_cents=money,
        visit=True,
    )
    if entry is not None:
        await _online_booking_bonus(session, member, booking)


async def reverse_earning(
    session: AsyncSession,
    earned: LoyaltyEntry,
    *,
    amount_cents: int,
    source_key: str,
    source_kind: str,
    source_id: UUID | None,
) -> LoyaltyEntry | None:
    """Take back the share of `earned` that `amount_cents` given back makes (module doc)."""
    if amount_cents <= 0 or await ledger.already(session, source_key) is not None:
        return None
    member = await ledger.lock_member(session, earned.client_id)
    base_so_far, taken_so_far = (
        await session.execute(
            select(
                func.coalesce(func.sum(LoyaltyEntry.base_cents), 0),
                func.coalesce(func.sum(LoyaltyEntry.shortfall - LoyaltyEntry.points), 0),
            ).where(
                LoyaltyEntry.earned_entry_id == earned.id,
                LoyaltyEntry.kind == EntryKind.reversed,
            )
        )
    ).one()
    given_back = min(int(base_so_far) + amount_cents, earned.base_cents)
    target = earned.points * given_back // earned.base_cents
    await ledger.expire_member(session, member, utcnow())
    return await ledger.add_debit(
        session,
        member,
        EntryKind.reversed,
        max(target - int(taken_so_far), 0),
        source_key=source_key,
        source_kind=source_kind,
        source_id=source_id,
        partial=True,
        first_from=earned.id,
        base_cents=amount_cents,
        earned_entry_id=earned.id,
    )


async def reverse_credit_ticket(session: AsyncSession, ticket: sales.TicketIssued) -> None:
    if ticket.kind != "credit_ticket":
        return
    earned = await ledger.already(session, f"ticket:{ticket.order_id}")
    if earned is None:
        return
    await reverse_earning(
        session,
        earned,
        amount_cents=-ticket.total_incl_vat_cents,
        source_key=f"credit:{ticket.journal_record_id}",
        source_kind="credit_ticket",
        source_id=ticket.journal_record_id,
    )


async def reverse_refund(session: AsyncSession, refund: payments.PaymentRefunded) -> None:
    """A refund of a visit that earned online. A till ticket's refunds come with its credit
    ticket (followed above); a gift card's money earned nothing."""
    if refund.subject_kind != "booking" or refund.method == "gift_card":
        return
    earned = await ledger.already(session, f"booking:{refund.subject_id}")
    if earned is None:
        return
    await reverse_earning(
        session,
        earned,
        amount_cents=refund.amount_cents,
        source_key=f"refund:{refund.refund_id}",
        source_kind="refund",
        source_id=refund.refund_id,
    )


async def grant_action(
    session: AsyncSession, client_id: UUID, action: Action, *, key: str
) -> LoyaltyEntry | None:
    """The points the salon gives for `action` (none when no rule names it); once per
    client and `key` (`first` for a first online booking, the review's id, the year)."""
    await earning.ensure_defaults(session)
    points = await earning.action_points(session, action, utcnow())
    if points <= 0:
        return None
    member = await ledger.lock_member(session, client_id)
    return await ledger.add_grant(
        session,
        member,
        EntryKind.earned,
        points,
        source_key=f"action:{action}:{client_id}:{key}",
        source_kind="action",
        reason=action,
    )


async def grant_birthdays(*, today: date | None = None) -> int:
    """The birthday rule's points to every client whose birthday is today (salon time), once a
    year each (the grant's key is the year: a second run, or two at once, gives nothing more).
    Returns how many clients got them."""
    now = utcnow()
    day = today or now.astimezone(zone()).date()
    async with unit_of_work() as session:
        await earning.ensure_defaults(session)
        if await earning.action_points(session, Action.birthday, now) <= 0:
            return 0
        born = await clients.born_on(session, day)
    given = 0
    for client_id in born:
        async with unit_of_work() as session:
            entry = await grant_action(session, client_id, Action.birthday, key=str(day.year))
            given += entry is not None
    return given
