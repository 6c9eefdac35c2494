"""Every query on the practitioners' tables (but `public.absence_statement`, a part of the slot
engine's one-round-trip union, docs/performance.md)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time
from uuid import UUID

from sqlalchemy import Row, Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.practitioners.models import (
    Absence,
    Practitioner,
    PractitionerService,
    Resource,
    WorkingHours,
)

# --- practitioners -----------------------------------------------------------------------


def practitioners_query(*, include_inactive: bool) -> Select[Practitioner]:
    statement = select(Practitioner)
    if not include_inactive:
        statement = statement.where(Practitioner.is_active.is_(True))
    return statement


# The team's order; the id makes it unique, as pagination needs.
PRACTITIONER_ORDER = (Practitioner.display_order, Practitioner.display_name, Practitioner.id)


async def get_practitioner(session: AsyncSession, practitioner_id: UUID) -> Practitioner | None:
    return await session.get(Practitioner, practitioner_id)


async def active_rows(
    session: AsyncSession, practitioner_ids: Iterable[UUID] | None
) -> Sequence[Row[UUID, str, UUID | None, int]]:
    """(id, display_name, user_id, display_order) of the active practitioners, in order."""
    statement = select(
        Practitioner.id,
        Practitioner.display_name,
        Practitioner.user_id,
        Practitioner.display_order,
    ).where(Practitioner.is_active.is_(True))
    if practitioner_ids is not None:
        statement = statement.where(Practitioner.id.in_(list(practitioner_ids)))
    return (await session.execute(statement.order_by(Practitioner.display_order))).all()


async def practitioner_for_user(session: AsyncSession, user_id: UUID) -> UUID | None:
    return await session.scalar(select(Practitioner.id).where(Practitioner.user_id == user_id))


async def activity_row(
    session: AsyncSession, practitioner_id: UUID
) -> Row[bool, UUID | None] | None:
    """(is_active, user_id) of one practitioner."""
    return (
        await session.execute(
            select(Practitioner.is_active, Practitioner.user_id).where(
                Practitioner.id == practitioner_id
            )
        )
    ).one_or_none()


async def practitioner_ids_in(session: AsyncSession, ids: list[UUID]) -> set[UUID]:
    return set(await session.scalars(select(Practitioner.id).where(Practitioner.id.in_(ids))))


async def names(session: AsyncSession, ids: set[UUID]) -> dict[UUID, str]:
    rows = await session.execute(
        select(Practitioner.id, Practitioner.display_name).where(Practitioner.id.in_(ids))
    )
    return {pid: name for pid, name in rows}


# --- her services ------------------------------------------------------------------------


async def service_links(
    session: AsyncSession, practitioner_ids: Sequence[UUID]
) -> Sequence[PractitionerService]:
    return (
        await session.scalars(
            select(PractitionerService).where(
                PractitionerService.practitioner_id.in_(practitioner_ids)
            )
        )
    ).all()


async def service_terms_rows(
    session: AsyncSession, practitioner_ids: list[UUID]
) -> Sequence[Row[UUID, UUID, int | None, int | None]]:
    """(practitioner_id, service_id, price_cents, duration_minutes) as plain rows."""
    rows = await session.execute(
        select(
            PractitionerService.practitioner_id,
            PractitionerService.service_id,
            PractitionerService.price_cents,
            PractitionerService.duration_minutes,
        ).where(PractitionerService.practitioner_id.in_(practitioner_ids))
    )
    return rows.all()


async def delete_service_links(session: AsyncSession, practitioner_id: UUID) -> None:
    await session.execute(
        delete(PractitionerService).where(PractitionerService.practitioner_id == practitioner_id)
    )


# --- weekly hours ------------------------------------------------------------------------


async def working_hours(session: AsyncSession, practitioner_id: UUID) -> Sequence[WorkingHours]:
    rows = await session.scalars(
        select(WorkingHours)
        .where(WorkingHours.practitioner_id == practitioner_id)
        .order_by(WorkingHours.weekday, WorkingHours.start_time)
    )
    return rows.all()


async def hours_rows(
    session: AsyncSession, practitioner_ids: list[UUID]
) -> Sequence[Row[UUID, int, time, time]]:
    """(practitioner_id, weekday, start_time, end_time) as plain rows."""
    rows = await session.execute(
        select(
            WorkingHours.practitioner_id,
            WorkingHours.weekday,
            WorkingHours.start_time,
            WorkingHours.end_time,
        ).where(WorkingHours.practitioner_id.in_(practitioner_ids))
    )
    return rows.all()


async def delete_working_hours(session: AsyncSession, practitioner_id: UUID) -> None:
    await session.execute(
        delete(WorkingHours).where(WorkingHours.practitioner_id == practitioner_id)
    )


# --- absences ----------------------------------------------------------------------------


async def absences_of(
    session: AsyncSession, practitioner_id: UUID, *, start: datetime | None, end: datetime | None
) -> Sequence[Absence]:
    statement = select(Absence).where(Absence.practitioner_id == practitioner_id)
    if start is not None:
        statement = statement.where(Absence.end_at > start)
    if end is not None:
        statement = statement.where(Absence.start_at < end)
    return (await session.scalars(statement.order_by(Absence.start_at))).all()


async def absence_rows(
    session: AsyncSession, practitioner_ids: Iterable[UUID], window: tuple[datetime, datetime]
) -> Sequence[Row[UUID, datetime, datetime]]:
    """(practitioner_id, start_at, end_at) of their absences touching `window`."""
    start, end = window
    rows = await session.execute(
        select(Absence.practitioner_id, Absence.start_at, Absence.end_at).where(
            Absence.practitioner_id.in_(list(practitioner_ids)),
            Absence.start_at < end,
            Absence.end_at > start,
        )
    )
    return rows.all()


async def absences_touching(
    session: AsyncSession,
    practitioner_ids: Iterable[UUID] | None,
    window: tuple[datetime, datetime],
) -> Sequence[Absence]:
    start, end = window
    statement = select(Absence).where(Absence.start_at < end, Absence.end_at > start)
    if practitioner_ids is not None:
        statement = statement.where(Absence.practitioner_id.in_(list(practitioner_ids)))
    return (await session.scalars(statement.order_by(Absence.start_at))).all()


async def get_absence(session: AsyncSession, absence_id: UUID) -> Absence | None:
    return await session.get(Absence, absence_id)


# --- resources ---------------------------------------------------------------------------


async def get_resource(session: AsyncSession, resource_id: UUID) -> Resource | None:
    return await session.get(Resource, resource_id)


async def resources(session: AsyncSession) -> Sequence[Resource]:
    return (await session.scalars(select(Resource).order_by(Resource.name))).all()


async def resource_ids_in(session: AsyncSession, ids: list[UUID]) -> set[UUID]:
    return set(await session.scalars(select(Resource.id).where(Resource.id.in_(ids))))
