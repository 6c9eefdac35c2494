from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings.models import Booking
from app.catalog.models import Product, Service, ServicePrerequisite
from app.practitioners.models import Practitioner, WorkingHours
from app.seed import load_demo_salon


async def _count(session: AsyncSession, model: object) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[arg-type]


async def test_the_demo_salon_loads_once_and_a_second_run_changes_nothing(
    session: AsyncSession,
) -> None:
    first = await load_demo_salon()
    counts = [
        await _count(session, m) for m in (Service, Product, Practitioner, WorkingHours, Booking)
    ]
    second = await load_demo_salon()
    again = [
        await _count(session, m) for m in (Service, Product, Practitioner, WorkingHours, Booking)
    ]

    assert counts == again
    assert second == ["demo salon: 0 rows created", "demo bookings: 0 created"]
    assert first[1] == "demo bookings: 10 created"
    services, products, practitioners, hours, bookings = counts
    assert services == 15
    assert products == 6
    assert practitioners == 3
    assert hours > 20  # several intervals a day, lunch breaks included
    assert bookings == 10
    rule = await session.scalar(select(ServicePrerequisite))
    assert rule is not None
    assert rule.within_days == 30
    names = set(await session.scalars(select(Service.name)))
    assert {"Rehaussement de cils", "Test d'allergie", "Massage relaxant 60 min"} <= names
