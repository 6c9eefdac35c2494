"""Builders for scheduling tests: a salon, its services and practitioners, inserted directly
(each builder commits). Times are local to Europe/Paris."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from httpx import AsyncClient

from app.availability.models import Block, Closure, OpeningHours, SpecialOpening
from app.catalog.models import Service, ServicePrerequisite, ServiceResource
from app.clients.models import Client
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

PARIS = ZoneInfo("Europe/Paris")
WEEK = range(7)


def paris(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def hm(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


async def open_salon(
    hours: list[tuple[str, str]] | None = None, weekdays: range | list[int] = WEEK
) -> None:
    async with unit_of_work() as session:
        for weekday in weekdays:
            for start, end in hours or [("08:00", "20:00")]:
                session.add(OpeningHours(weekday=weekday, start_time=hm(start), end_time=hm(end)))


async def make_service(
    name: str = "Soin visage",
    *,
    minutes: int = 60,
    before: int = 0,
    after: int = 0,
    pause_at: int = 0,
    pause: int = 0,
    price_cents: int = 6000,
    deposit_percent: str | None = None,
    online: bool = True,
    home: bool = False,
    resources: tuple[UUID, ...] = (),
) -> UUID:
    now = utcnow()
    service = Service(
        id=new_id(),
        name=name,
        duration_minutes=minutes,
        buffer_before_minutes=before,
        buffer_after_minutes=after,
        processing_offset_minutes=pause_at,
        processing_minutes=pause,
        price_cents=price_cents,
        vat_rate=Decimal("20.00"),
        deposit_kind="percent" if deposit_percent else "none",
        deposit_percent=Decimal(deposit_percent) if deposit_percent else None,
        online_bookable=online,
        home_visit_available=home,
        is_active=True,
        display_order=0,
        created_at=now,
        updated_at=now,
    )
    async with unit_of_work() as session:
        session.add(service)
        await session.flush()
        for resource_id in resources:
            session.add(ServiceResource(service_id=service.id, resource_id=resource_id))
    return service.id


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


async def make_client(
    first_name: str = "Hélène", email: str | None = None, phone: str | None = None
) -> UUID:
    now = utcnow()
    client = Client(
        id=new_id(),
        first_name=first_name,
        last_name="Dupont",
        email=email or f"{new_id().hex[-10:]}@example.fr",
        phone=phone,
        created_at=now,
        updated_at=now,
    )
    async with unit_of_work() as session:
        session.add(client)
    return client.id


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


async def add_closure(start: date, end: date) -> None:
    async with unit_of_work() as session:
        session.add(
            Closure(start_date=start, end_date=end, reason="Fermeture", created_at=utcnow())
        )


async def add_special_opening(on: date, start: str, end: str) -> None:
    async with unit_of_work() as session:
        session.add(SpecialOpening(on_date=on, start_time=hm(start), end_time=hm(end)))


async def add_prerequisite(
    service_id: UUID, required: UUID, *, within_days: int = 30, min_days_before: int = 2
) -> None:
    async with unit_of_work() as session:
        session.add(
            ServicePrerequisite(
                service_id=service_id,
                required_service_id=required,
                within_days=within_days,
                min_days_before=min_days_before,
                first_time_only=True,
            )
        )


async def facial_with_camille(price_cents: int = 6000) -> tuple[UUID, UUID]:
    """An open salon, a one-hour facial and Camille who does it: (service, practitioner)."""
    await open_salon()
    facial = await make_service("Soin visage", minutes=60, price_cents=price_cents)
    return facial, await make_practitioner("Camille", [facial])


async def book_by_staff(
    http: AsyncClient,
    headers: dict[str, str],
    service_ids: list[UUID],
    start: str,
    client_id: UUID | None = None,
) -> dict[str, Any]:
    """A booking made by staff (confirmed at once) for `client_id`, or a new client."""
    response = await http.post(
        "/api/v1/bookings",
        json={
            "service_ids": [str(s) for s in service_ids],
            "start": start,
            "client_id": str(client_id or await make_client()),
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())
