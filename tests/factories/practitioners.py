"""Practitioners with their services and working hours, rooms, absences and blocks, inserted
directly. Hours are local to Europe/Paris."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from app.availability.models import Block
from app.core.clock import utcnow
from app.core.db import unit_of_work
from app.core.ids import new_id
from app.practitioners.models import (
    Absence,
    Practitioner,
    PractitionerService,
    Resource,
    WorkingHours,
)
from tests.factories.core import WEEK, hm


async def make_practitioner(
    name: str,
    services: list[UUID],
    *,
    hours: list[tuple[str, str]] | None = None,
    weekdays: range | list[int] = WEEK,
    order: int = 0,
    user_id: UUID | None = None,
    own_minutes: dict[UUID, int] | None = None,
) -> UUID:
    now = utcnow()
    practitioner = Practitioner(
        id=new_id(),
        display_name=name,
        color="#8E7CC3",
        is_active=True,
        display_order=order,
        user_id=user_id,
        created_at=now,
        updated_at=now,
    )
    async with unit_of_work() as session:
        session.add(practitioner)
        await session.flush()
        for service_id in services:
            session.add(
                PractitionerService(
                    practitioner_id=practitioner.id,
                    service_id=service_id,
                    duration_minutes=(own_minutes or {}).get(service_id),
                )
            )
        for weekday in weekdays:
            for start, end in hours or [("09:00", "12:00"), ("13:00", "18:00")]:
                session.add(
                    WorkingHours(
                        practitioner_id=practitioner.id,
                        weekday=weekday,
                        start_time=hm(start),
                        end_time=hm(end),
                    )
                )
    return practitioner.id


async def make_resource(name: str = "Cabine 1") -> UUID:
    resource = Resource(id=new_id(), name=name, kind="room", is_active=True, created_at=utcnow())
    async with unit_of_work() as session:
        session.add(resource)
    return resource.id


async def add_absence(practitioner_id: UUID, start: datetime, end: datetime) -> None:
    async with unit_of_work() as session:
        session.add(
            Absence(
                practitioner_id=practitioner_id,
                start_at=start,
                end_at=end,
                reason="Congés",
                created_at=utcnow(),
            )
        )


async def add_block(practitioner_id: UUID, start: datetime, end: datetime) -> None:
    async with unit_of_work() as session:
        session.add(
            Block(
                practitioner_id=practitioner_id,
                start_at=start,
                end_at=end,
                reason="Formation",
                created_at=utcnow(),
            )
        )
