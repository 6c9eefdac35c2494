"""Services and their prerequisites, inserted directly."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from app.catalog.models import Service, ServicePrerequisite, ServiceResource
from app.core.clock import utcnow
from app.core.db import unit_of_work
from app.core.ids import new_id


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
