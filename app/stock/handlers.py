"""Stock follows the bookings it supplies: a completed booking consumes its services'
products, once; so does a walk-in's service sold at the till."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import public as bookings
from app.core import outbox
from app.sales import public as sales
from app.stock import recipes


@outbox.handles(bookings.TOPIC_COMPLETED, name="stock.consume_on_booking_completed")
async def on_booking_completed(session: AsyncSession, payload: bookings.BookingCompleted) -> None:
    await recipes.consume_booking(
        session, payload.booking_id, [done.service_id for done in payload.services]
    )


@outbox.handles(sales.TOPIC_TICKET_ISSUED, name="stock.consume_on_ticket")
async def on_ticket_issued(session: AsyncSession, payload: sales.TicketIssued) -> None:
    """Services sold without a booking use their recipes' products too (a booking's own go
    with its completion). A credit ticket gives no treatment back."""
    if payload.kind != "ticket":
        return
    services = [
        line.item_id
        for line in payload.lines
        if line.kind == "service" and line.item_id is not None and not line.from_booking
        for _ in range(line.quantity)
    ]
    await recipes.consume_ticket(session, payload.journal_record_id, services)
