"""What other domains may use from practitioners."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time
from uuid import UUID

from sqlalchemy import BigInteger, Select, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.public import get_user_ref
from app.practitioners import repository
from app.practitioners.errors import PractitionerNotFound
from app.practitioners.models import (
    Absence,
)
from app.practitioners.topics import TOPIC_DEACTIVATED, PractitionerDeactivated

__all__ = [
    "TOPIC_DEACTIVATED",
    "PractitionerDeactivated",
    "PractitionerNotFound",
    "PractitionerSchedule",
    "ServiceTerms",
    "absence_statement",
    "absences_between",
    "existing_practitioner_ids",
    "existing_resource_ids",
    "is_active_staff",
    "load_practitioners",
    "load_schedules",
    "practitioner_for_user",
    "practitioner_names",
]


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


async def load_practitioners(
    session: AsyncSession, *, practitioner_ids: Iterable[UUID] | None = None
) -> list[PractitionerSchedule]:
    """Active practitioners with their services and weekly hours (no absences), in three light
    queries: plain rows, no ORM objects, as the slot engine reloads them after any change."""
    rows = await repository.active_rows(session, practitioner_ids)
    ids = [row.id for row in rows]
    if not ids:
        return []
    services: dict[UUID, dict[UUID, ServiceTerms]] = {pid: {} for pid in ids}
    for pid, sid, price, minutes in await repository.service_terms_rows(session, ids):
        services[pid][sid] = ServiceTerms(price, minutes)
    hours: dict[UUID, list[tuple[int, time, time]]] = {pid: [] for pid in ids}
    for pid, weekday, start_time, end_time in await repository.hours_rows(session, ids):
        hours[pid].append((weekday, start_time, end_time))
    return [
        PractitionerSchedule(
            id=row.id,
            display_name=row.display_name,
            user_id=row.user_id,
            display_order=row.display_order,
            services=services[row.id],
            weekly_hours=tuple(sorted(hours[row.id])),
        )
        for row in rows
    ]


def absence_statement(
    window: tuple[datetime, datetime],
) -> Select[str, UUID | None, int, int]:
    """Rows (holder kind, practitioner id, start, end) of the absences touching `window`,
    times as epoch seconds, for the slot engine to fetch in the same round trip as the rest."""
    start, end = window
    return select(
        literal("practitioner").label("kind"),
        Absence.practitioner_id.label("holder_id"),
        cast(func.extract("epoch", Absence.start_at), BigInteger).label("start"),
        cast(func.extract("epoch", Absence.end_at), BigInteger).label("end"),
    ).where(Absence.start_at < end, Absence.end_at > start)


async def absences_between(
    session: AsyncSession, practitioner_ids: Iterable[UUID], window: tuple[datetime, datetime]
) -> dict[UUID, list[tuple[datetime, datetime]]]:
    """Absences touching `window`, per practitioner."""
    absences: dict[UUID, list[tuple[datetime, datetime]]] = {}
    for pid, absent_from, absent_to in await repository.absence_rows(
        session, practitioner_ids, window
    ):
        absences.setdefault(pid, []).append((absent_from, absent_to))
    return absences


@dataclass(frozen=True, slots=True)
class AbsenceRef:
    id: UUID
    practitioner_id: UUID
    start_at: datetime
    end_at: datetime
    reason: str | None


async def absences_with_reasons(
    session: AsyncSession,
    practitioner_ids: Iterable[UUID] | None,
    window: tuple[datetime, datetime],
) -> list[AbsenceRef]:
    """Absences touching `window` (of these practitioners, or all), with their reasons."""
    rows = await repository.absences_touching(session, practitioner_ids, window)
    return [AbsenceRef(a.id, a.practitioner_id, a.start_at, a.end_at, a.reason) for a in rows]


async def load_schedules(
    session: AsyncSession,
    *,
    window: tuple[datetime, datetime],
    practitioner_ids: Iterable[UUID] | None = None,
) -> list[PractitionerSchedule]:
    """Active practitioners with their services, weekly hours and the absences that touch
    `window`."""
    schedules = await load_practitioners(session, practitioner_ids=practitioner_ids)
    absences = await absences_between(session, [s.id for s in schedules], window)
    for schedule in schedules:
        schedule.absences.extend(sorted(absences.get(schedule.id, ())))
    return schedules


async def practitioner_for_user(session: AsyncSession, user_id: UUID) -> UUID | None:
    """The practitioner a staff account logs in as, if any."""
    return await repository.practitioner_for_user(session, user_id)


async def is_active_staff(session: AsyncSession, practitioner_id: UUID) -> bool:
    """Whether she is active, and so is the staff account she logs in with (if she has one)."""
    row = await repository.activity_row(session, practitioner_id)
    if row is None or not row.is_active:
        return False
    if row.user_id is None:
        return True
    user = await get_user_ref(session, row.user_id)
    return user is not None and user.is_active


async def existing_resource_ids(session: AsyncSession, ids: Iterable[UUID]) -> set[UUID]:
    wanted = list(set(ids))
    if not wanted:
        return set()
    return await repository.resource_ids_in(session, wanted)


async def existing_practitioner_ids(session: AsyncSession, ids: Iterable[UUID]) -> set[UUID]:
    wanted = list(set(ids))
    if not wanted:
        return set()
    return await repository.practitioner_ids_in(session, wanted)


async def practitioner_names(session: AsyncSession, ids: Iterable[UUID]) -> dict[UUID, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    return await repository.names(session, wanted)
