"""What other domains may use from bookings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import repository


async def busy_time(
    session: AsyncSession,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    practitioner_ids: Iterable[UUID],
    resource_ids: Iterable[UUID],
    exclude_booking_id: UUID | None = None,
) -> tuple[
    dict[UUID, list[tuple[datetime, datetime]]], dict[UUID, list[tuple[datetime, datetime]]]
]:
    """Time taken by live bookings and unexpired holds, per practitioner and per resource."""
    by_practitioner: dict[UUID, list[tuple[datetime, datetime]]] = {}
    by_resource: dict[UUID, list[tuple[datetime, datetime]]] = {}
    rows = await repository.busy_ranges(
        session,
        start=start,
        end=end,
        now=now,
        practitioner_ids=practitioner_ids,
        resource_ids=resource_ids,
        exclude_booking_id=exclude_booking_id,
    )
    for practitioner_id, resource_id, a, b in rows:
        if practitioner_id is not None:
            by_practitioner.setdefault(practitioner_id, []).append((a, b))
        if resource_id is not None:
            by_resource.setdefault(resource_id, []).append((a, b))
    return by_practitioner, by_resource
