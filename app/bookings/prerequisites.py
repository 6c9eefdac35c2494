"""Prerequisites between services: before a first lash lift, a patch test within 30 days and
at least 48 hours earlier."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import Exists, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings.errors import PrerequisiteMissing
from app.bookings.models import Booking, BookingItem, BookingStatus
from app.catalog.public import ServiceSpec

# A prerequisite booked (and not cancelled) counts: the client may book both at once.
COUNTS = (BookingStatus.confirmed, BookingStatus.checked_in, BookingStatus.completed)


def _had(client_id: UUID, service_id: UUID, start: datetime, end: datetime) -> Exists:
    return exists(
        select(BookingItem.id)
        .join(Booking, Booking.id == BookingItem.booking_id)
        .where(
            Booking.client_id == client_id,
            Booking.status.in_(COUNTS),
            BookingItem.service_id == service_id,
            BookingItem.start_at >= start,
            BookingItem.start_at < end,
        )
    )


async def check_prerequisites(
    session: AsyncSession, *, client_id: UUID, specs: list[ServiceSpec], start: datetime
) -> None:
    for spec in specs:
        for rule in spec.prerequisites:
            if rule.first_time_only and await session.scalar(
                select(_had(client_id, spec.id, datetime.min.replace(tzinfo=start.tzinfo), start))
            ):
                continue
            window_start = start - timedelta(days=rule.within_days)
            window_end = start - timedelta(days=rule.min_days_before)
            if not await session.scalar(
                select(_had(client_id, rule.required_service_id, window_start, window_end))
            ):
                raise PrerequisiteMissing(
                    f"{spec.name} needs an earlier service (e.g. a patch test) between "
                    f"{rule.within_days} and {rule.min_days_before} days before.",
                    extra={
                        "service_id": str(spec.id),
                        "required_service_id": str(rule.required_service_id),
                    },
                )
