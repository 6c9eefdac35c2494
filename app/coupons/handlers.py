"""The coupons domain follows the bookings it discounted: a held use counts once the booking
is confirmed (its deposit paid, or staff confirmed it), and is given back when the hold dies
(it expired, or it was cancelled before being paid)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import public as bookings
from app.core import outbox
from app.coupons import service
from app.coupons.models import UseState


@outbox.handles(bookings.TOPIC_CONFIRMED)
async def on_booking_confirmed(session: AsyncSession, payload: dict[str, Any]) -> None:
    await service.settle_booking_use(session, UUID(str(payload["booking_id"])), UseState.used)


@outbox.handles(bookings.TOPIC_HOLD_EXPIRED)
async def on_hold_expired(session: AsyncSession, payload: dict[str, Any]) -> None:
    await service.settle_booking_use(session, UUID(str(payload["booking_id"])), UseState.released)


@outbox.handles(bookings.TOPIC_CANCELLED)
async def on_booking_cancelled(session: AsyncSession, payload: dict[str, Any]) -> None:
    if payload.get("previous_status") == "pending_payment":
        await service.settle_booking_use(
            session, UUID(str(payload["booking_id"])), UseState.released
        )
