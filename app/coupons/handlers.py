"""The coupons domain follows the bookings it discounted: a held use counts once the booking
is confirmed (its deposit paid, or staff confirmed it), and is given back when the hold dies
(it expired, or it was cancelled before being paid)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import public as bookings
from app.core import outbox
from app.coupons import service
from app.coupons.models import UseState


@outbox.handles(bookings.TOPIC_CONFIRMED, name="coupons.use_on_booking_confirmed")
async def on_booking_confirmed(session: AsyncSession, payload: bookings.BookingConfirmed) -> None:
    await service.settle_booking_use(session, payload.booking_id, UseState.used)


@outbox.handles(bookings.TOPIC_HOLD_EXPIRED, name="coupons.release_on_hold_expired")
async def on_hold_expired(session: AsyncSession, payload: bookings.HoldExpired) -> None:
    await service.settle_booking_use(session, payload.booking_id, UseState.released)


@outbox.handles(bookings.TOPIC_CANCELLED, name="coupons.release_on_booking_cancelled")
async def on_booking_cancelled(session: AsyncSession, payload: bookings.BookingCancelled) -> None:
    if payload.previous_status == "pending_payment":
        await service.settle_booking_use(session, payload.booking_id, UseState.released)
