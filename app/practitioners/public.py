"""What other domains may use from practitioners."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.practitioners.models import Absence, Practitioner, PractitionerService, WorkingHours


@dataclass(frozen=True, slots=True)
class ServiceTerms:
    """Her own price and duration for a service, when they differ from the catalog."""

    price_cents: int | None
    duration_minutes: int | None


@dataclass(frozen=True, slots=True)
class PractitionerSchedule:
    id: UUID
    display_name: str
    user_id: UUID | None
    display_order: int
    services: dict[UUID, ServiceTerms]
    # (weekday, start, end) in the salon's local time; weekday 0 = Monday.
    weekly_hours: tuple[tuple[int, time, time], ...]
    absences: list[tuple[datetime, datetime]] = field(default_factory=list)


async def load_schedules(
    session: AsyncSession,
    *,
    window: tuple[datetime, datetime],
    practitioner_ids: Iterable[UUID] | None = None,
) -> list[PractitionerSchedule]:
    """Active practitioners with their services, weekly hours and the absences that touch
    `window`, in three queries."""
    statement = select(Practitioner).where(Practitioner.is_active.is_(True))
    if practitioner_ids is not None:
        statement = statement.where(Practitioner.id.in_(list(practitioner_ids)))
    practitioners = (await session.scalars(statement.order_by(Practitioner.display_order))).all()
    ids = [p.id for p in practitioners]
    if not ids:
        return []
    services: dict[UUID, dict[UUID, ServiceTerms]] = {pid: {} for pid in ids}
    for link in await session.scalars(
        select(PractitionerService).where(PractitionerService.practitioner_id.in_(ids))
    ):
        services[link.practitioner_id][link.service_id] = ServiceTerms(
            link.price_cents, link.duration_minutes
        )
    hours: dict[UUID, list[tuple[int, time, time]]] = {pid: [] for pid in ids}
    for row in await session.scalars(
        select(WorkingHours).where(WorkingHours.practitioner_id.in_(ids))
    ):
        hours[row.practitioner_id].append((row.weekday, row.start_time, row.end_time))
    absences: dict[UUID, list[tuple[datetime, datetime]]] = {pid: [] for pid in ids}
    start, end = window
    for absence in await session.scalars(
        select(Absence).where(
            Absence.practitioner_id.in_(ids), Absence.start_at < end, Absence.end_at > start
        )
    ):
        absences[absence.practitioner_id].append((absence.start_at, absence.end_at))
    return [
        PractitionerSchedule(
            id=p.id,
            display_name=p.display_name,
            user_id=p.user_id,
            display_order=p.display_order,
            services=services[p.id],
            weekly_hours=tuple(sorted(hours[p.id])),
            absences=sorted(absences[p.id]),
        )
        for p in practitioners
    ]


async def practitioner_for_user(session: AsyncSession, user_id: UUID) -> UUID | None:
    """The practitioner a staff account logs in as, if any."""
    return await session.scalar(select(Practitioner.id).where(Practitioner.user_id == user_id))
