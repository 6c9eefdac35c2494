"""What the programme does when the till, bookings and payments publish: points earned when
money is really taken (a ticket, a visit paid online and completed outside the till), taken
back by a credit ticket or a refund (app/loyalty/flows.py)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import public as bookings
from app.core import outbox
from app.loyalty import flows
from app.payments import public as payments
from app.sales import public as sales


@outbox.handles(sales.TOPIC_TICKET_ISSUED, name="loyalty.points_for_ticket")
async def on_ticket(session: AsyncSession, payload: sales.TicketIssued) -> None:
    if payload.kind == "credit_ticket":
        await flows.reverse_credit_ticket(session, payload)
    else:
        await flows.earn_from_ticket(session, payload)


@outbox.handles(bookings.TOPIC_COMPLETED, name="loyalty.points_for_completed_visit")
async def on_completed(session: AsyncSession, payload: bookings.BookingCompleted) -> None:
    await flows.earn_from_completed_visit(session, payload.booking_id)


@outbox.handles(payments.TOPIC_REFUNDED, name="loyalty.reverse_points_on_refund")
async def on_refunded(session: AsyncSession, payload: payments.PaymentRefunded) -> None:
    await flows.reverse_refund(session, payload)
