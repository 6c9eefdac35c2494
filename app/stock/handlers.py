"""Stock follows the bookings it supplies: a completed booking consumes its services'
products, once."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import public as bookings
from app.core import outbox
from app.stock import recipes


@outbox.handles(bookings.TOPIC_COMPLETED, name="stock.consume_on_booking_completed")
async def on_booking_completed(session: AsyncSession, payload: bookings.BookingCompleted) -> None:
    await recipes.consume_booking(
        session, payload.booking_id, [done.service_id for done in payload.services]
    )
