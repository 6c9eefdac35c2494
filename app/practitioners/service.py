"""Practitioners, their services, weekly hours and absences; resources."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.public import Principal, Role, UserKind, get_user_ref
from app.bookings import public as bookings
from app.catalog import public as catalog
from app.core import outbox
from app.core.clock import utcnow
from app.core.db import flush_or_raise
from app.core.errors import Forbidden
from app.core.ids import new_id
from app.core.weekly import WeeklyInterval, check_no_overlap
from app.practitioners import repository
from app.practitioners.errors import (
    AbsenceNotFound,
    PractitionerNotFound,
    ResourceNameTaken,
    ResourceNotFound,
    UnknownPractitionerService,
    UnknownStaffUser,
    UserAlreadyLinked,
)
from app.practitioners.models import (
    Absence,
    Practitioner,
    PractitionerService,
    Resource,
    WorkingHours,
)
from app.practitioners.schemas import PractitionerFields, ServiceTermsIn
from app.practitioners.topics import TOPIC_DEACTIVATED

_LINKS = ("service_ids", "service_terms")


async def get_practitioner(session: AsyncSession, practitioner_id: UUID) -> Practitioner:
    practitioner = await repository.get_practitioner(session, practitioner_id)
    if practitioner is None:
        raise PractitionerNotFound()
    return practitioner


def ensure_self_or(principal: Principal, practitioner: Practitioner, *roles: Role) -> None:
    """Managers (or the roles given) act on anyone; a practitioner only on herself."""
    if principal.has_role(*roles) or (
        principal.is_staff and practitioner.user_id == principal.user_id
    ):
        return
    raise Forbidden("You can only change your own schedule.")


async def terms_of(
    session: AsyncSession, practitioner_ids: Sequence[UUID]
) -> dict[UUID, list[PractitionerService]]:
    terms: dict[UUID, list[PractitionerService]] = {pid: [] for pid in practitioner_ids}
    for link in await repository.service_links(session, practitioner_ids):
        terms[link.practitioner_id].append(link)
    return terms


async def _check_user(session: AsyncSession, user_id: UUID | None) -> None:
    if user_id is None:
        return
    user = await get_user_ref(session, user_id)
    if user is None or user.kind is not UserKind.staff or not user.is_active:
        raise UnknownStaffUser()


async def _replace_services(
    session: AsyncSession, practitioner: Practitioner, fields: dict[str, Any]
) -> None:
    service_ids = fields.get("service_ids")
    terms = [ServiceTermsIn.model_validate(t) for t in fields.get("service_terms") or ()]
    if service_ids is None and not terms:
        return
    if service_ids is None:
        current = await terms_of(session, [practitioner.id])
        service_ids = [link.service_id for link in current[practitioner.id]]
    wanted = set(service_ids) | {t.service_id for t in terms}
    missing = wanted - await catalog.existing_service_ids(session, wanted)
    if missing:
        raise UnknownPractitionerService(extra={"service_ids": sorted(map(str, missing))})
    by_service = {t.service_id: t for t in terms}
    await repository.delete_service_links(session, practitioner.id)
    for service_id in wanted:
        own = by_service.get(service_id)
        session.add(
            PractitionerService(
                practitioner_id=practitioner.id,
                service_id=service_id,
                price_cents=own.price_cents if own else None,
                duration_minutes=own.duration_minutes if own else None,
            )
        )
    await session.flush()


async def create_practitioner(session: AsyncSession, data: PractitionerFields) -> Practitioner:
    fields = data.model_dump()
    await _check_user(session, fields.get("user_id"))
    now = utcnow()
    practitioner = Practitioner(
        id=new_id(),
        is_active=True,
        created_at=now,
        updated_at=now,
        **{k: v for k, v in fields.items() if k not in _LINKS},
    )
    session.add(practitioner)
    await flush_or_raise(session, UserAlreadyLinked())
    await _replace_services(session, practitioner, fields)
    return practitioner


async def update_practitioner(
    session: AsyncSession, practitioner_id: UUID, data: PractitionerFields
) -> tuple[Practitioner, list[bookings.ConflictOut]]:
    """Change her record. Retiring her (`is_active: false`) while she has future bookings is
    refused with the list unless forced; forced, the list comes back for reassignment."""
    practitioner = await get_practitioner(session, practitioner_id)
    changes = data.model_dump(exclude_unset=True, exclude={"force"})
    conflicts: list[bookings.ConflictOut] = []
    if changes.get("is_active") is False and practitioner.is_active:
        conflicts = await bookings.bookings_in_conflict(
            session, start=utcnow(), end=None, practitioner_id=practitioner.id
        )
        bookings.refuse_unless_forced(
            conflicts, force=getattr(data, "force", False), what="retirement"
        )
    if "user_id" in changes:
        await _check_user(session, changes["user_id"])
    if practitioner.is_active and changes.get("is_active") is False:
        # What hangs on her (her calendar feed) dies with the deactivation.
        await outbox.enqueue(
            session, TOPIC_DEACTIVATED, {"practitioner_id": practitioner.id, "at": utcnow()}
        )
    for key, value in changes.items():
        if key not in _LINKS:
            setattr(practitioner, key, value)
    practitioner.updated_at = utcnow()
    await flush_or_raise(session, UserAlreadyLinked())
    await _replace_services(session, practitioner, changes)
    return practitioner, conflicts


async def working_hours(session: AsyncSession, practitioner_id: UUID) -> list[WeeklyInterval]:
    rows = await repository.working_hours(session, practitioner_id)
    return [WeeklyInterval(weekday=r.weekday, start=r.start_time, end=r.end_time) for r in rows]


async def replace_working_hours(
    session: AsyncSession, practitioner: Practitioner, intervals: list[WeeklyInterval]
) -> list[WeeklyInterval]:
    """Replace her whole week."""
    ordered = check_no_overlap(intervals)
    await repository.delete_working_hours(session, practitioner.id)
    for interval in ordered:
        session.add(
            WorkingHours(
                practitioner_id=practitioner.id,
                weekday=interval.weekday,
                start_time=interval.start,
                end_time=interval.end,
            )
        )
    return ordered


async def add_absence(
    session: AsyncSession,
    practitioner: Practitioner,
    *,
    start: datetime,
    end: datetime,
    reason: str | None,
    force: bool = False,
) -> tuple[Absence, list[bookings.ConflictOut]]:
    """Record her absence; her live bookings in that time refuse it unless forced, and are
    answered for rebooking."""
    conflicts = await bookings.bookings_in_conflict(
        session, start=start, end=end, practitioner_id=practitioner.id
    )
    bookings.refuse_unless_forced(conflicts, force=force, what="absence")
    absence = Absence(
        id=new_id(),
        practitioner_id=practitioner.id,
        start_at=start,
        end_at=end,
        reason=reason,
        created_at=utcnow(),
    )
    session.add(absence)
    return absence, conflicts


async def absences(
    session: AsyncSession, practitioner_id: UUID, *, start: datetime | None, end: datetime | None
) -> Sequence[Absence]:
    return await repository.absences_of(session, practitioner_id, start=start, end=end)


async def delete_absence(session: AsyncSession, practitioner_id: UUID, absence_id: UUID) -> None:
    absence = await repository.get_absence(session, absence_id)
    if absence is None or absence.practitioner_id != practitioner_id:
        raise AbsenceNotFound()
    await session.delete(absence)


async def get_resource(session: AsyncSession, resource_id: UUID) -> Resource:
    resource = await repository.get_resource(session, resource_id)
    if resource is None:
        raise ResourceNotFound()
    return resource


async def save_resource(session: AsyncSession, resource: Resource) -> Resource:
    session.add(resource)
    await flush_or_raise(session, ResourceNameTaken())
    return resource


async def list_resources(session: AsyncSession) -> Sequence[Resource]:
    return await repository.resources(session)
