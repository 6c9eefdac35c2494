"""What referrals follow: a friend's confirmed booking (booked), her tickets and completed
visits (paid: the referrer's reward; revenue), credit tickets and refunds (the reward taken
back). A visit checked out at the till is counted from its ticket only."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import public as bookings
from app.core import outbox
from app.payments import public as payments
from app.referrals import flows
from app.sales import public as sales


@outbox.handles(bookings.TOPIC_CONFIRMED, name="referrals.booked_on_booking_confirmed")
async def on_booking_confirmed(session: AsyncSession, payload: bookings.BookingConfirmed) -> None:
    brief = await bookings.booking_brief(session, payload.booking_id)
    await flows.mark_booked(session, brief.client_id, brief.id)


@outbox.handles(sales.TOPIC_TICKET_ISSUED, name="referrals.visit_on_ticket_issued")
async def on_ticket_issued(session: AsyncSession, payload: sales.TicketIssued) -> None:
    if payload.client_id is None:
        return
    if payload.kind == "credit_ticket":
        await flows.record_refund(
            session, amount_cents=-payload.total_incl_vat_cents, order_id=payload.order_id
        )
    else:
        await flows.record_paid_visit(
            session,
            friend_id=payload.client_id,
            amount_cents=payload.total_incl_vat_cents,
            order_id=payload.order_id,
            booking_id=payload.booking_id,
        )
    await flows.add_revenue(session, payload.client_id, payload.total_incl_vat_cents)


@outbox.handles(bookings.TOPIC_COMPLETED, name="referrals.visit_on_booking_completed")
async def on_booking_completed(session: AsyncSession, payload: bookings.BookingCompleted) -> None:
    if await sales.ticket_of_booking(session, payload.booking_id) is not None:
        return  # checked out at the till: its ticket counts the visit
    brief = await bookings.booking_brief(session, payload.booking_id)
    kept = (await payments.balance(session, "booking", brief.id)).kept_cents
    await flows.record_paid_visit(
        session, friend_id=brief.client_id, amount_cents=kept, booking_id=brief.id
    )


@outbox.handles(payments.TOPIC_REFUNDED, name="referrals.reverse_on_refund")
async def on_refunded(session: AsyncSession, payload: payments.PaymentRefunded) -> None:
    if payload.subject_kind == "booking":
        await flows.record_refund(
            session, amount_cents=payload.amount_cents, booking_id=payload.subject_id
        )
