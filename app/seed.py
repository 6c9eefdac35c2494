"""The demo salon loaded by `python -m app.cli seed` (and `make run`), from seed_data/.

Every row is looked up by a natural key (a name, a SKU, an e-mail) before it is created, so
seeding twice changes nothing and never overwrites what staff have edited since. This module
is a composition root, like the CLI: it may write any domain's tables.
"""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.availability import service as availability
from app.availability.models import Closure, OpeningHours
from app.bookings import service as bookings
from app.bookings.models import Booking, BookingLocation, BookingSource
from app.catalog.models import (
    Product,
    Service,
    ServiceCategory,
    ServicePrerequisite,
    ServiceResource,
)
from app.clients import public as clients
from app.core.clock import utcnow
from app.core.config import PROJECT_ROOT
from app.core.db import unit_of_work
from app.core.ids import new_id
from app.core.timeutils import zone
from app.practitioners.models import Practitioner, PractitionerService, Resource, WorkingHours
from app.stock import purchasing, recipes
from app.stock import service as stock
from app.stock.models import Supplier

SEED_DIR = PROJECT_ROOT / "seed_data"
DEMO_BOOKINGS = 10


def read_seed(name: str, seed_dir: Path = SEED_DIR) -> Any:
    return json.loads((seed_dir / name).read_text(encoding="utf-8"))


def _hm(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


async def _by_name(session: AsyncSession, model: Any, column: Any) -> dict[str, Any]:
    return {getattr(row, column.key): row for row in await session.scalars(select(model))}


async def _catalog(session: AsyncSession, data: dict[str, Any]) -> int:
    created = 0
    now = utcnow()
    categories = await _by_name(session, ServiceCategory, ServiceCategory.name)
    for item in data["categories"]:
        if item["name"] not in categories:
            categories[item["name"]] = ServiceCategory(id=new_id(), created_at=now, **item)
            session.add(categories[item["name"]])
            created += 1
    # No ORM relationships across tables here: flush parents before their children.
    await session.flush()
    resources = await _by_name(session, Resource, Resource.name)
    services = await _by_name(session, Service, Service.name)
    for item in data["services"]:
        if item["name"] in services:
            continue
        fields = {
            k: v for k, v in item.items() if k not in {"category", "resources", "prerequisites"}
        }
        if "deposit_percent" in fields:
            fields["deposit_percent"] = Decimal(fields["deposit_percent"])
        service = Service(
            id=new_id(),
            category_id=categories[item["category"]].id,
            vat_rate=Decimal("20.00"),
            created_at=now,
            updated_at=now,
            **fields,
        )
        session.add(service)
        services[service.name] = service
        await session.flush()
        for name in item.get("resources", ()):
            session.add(ServiceResource(service_id=service.id, resource_id=resources[name].id))
        for rule in item.get("prerequisites", ()):
            session.add(
                ServicePrerequisite(
                    service_id=service.id,
                    required_service_id=services[rule["service"]].id,
                    within_days=rule["within_days"],
                    min_days_before=rule["min_days_before"],
                    first_time_only=True,
                )
            )
        created += 1
    skus = set(await session.scalars(select(Product.sku)))
    for item in data["products"]:
        if item["sku"] not in skus:
            session.add(
                Product(
                    id=new_id(), vat_rate=Decimal("20.00"), created_at=now, updated_at=now, **item
                )
            )
            created += 1
    return created


async def _team(session: AsyncSession, data: dict[str, Any]) -> int:
    created = 0
    now = utcnow()
    resources = await _by_name(session, Resource, Resource.name)
    for item in data["resources"]:
        if item["name"] not in resources:
            session.add(Resource(id=new_id(), is_active=True, created_at=now, **item))
            created += 1
    await session.flush()
    services = await _by_name(session, Service, Service.name)
    existing = await _by_name(session, Practitioner, Practitioner.display_name)
    for order, item in enumerate(data["practitioners"]):
        if item["display_name"] in existing:
            continue
        practitioner = Practitioner(
            id=new_id(),
            display_name=item["display_name"],
            color=item["color"],
            bio=item["bio"],
            is_active=True,
            display_order=order,
            created_at=now,
            updated_at=now,
        )
        session.add(practitioner)
        await session.flush()
        for name in item["services"]:
            session.add(
                PractitionerService(practitioner_id=practitioner.id, service_id=services[name].id)
            )
        for weekday, intervals in item["hours"].items():
            for start, end in intervals:
                session.add(
                    WorkingHours(
                        practitioner_id=practitioner.id,
                        weekday=int(weekday),
                        start_time=_hm(start),
                        end_time=_hm(end),
                    )
                )
        created += 1
    return created


async def _salon(session: AsyncSession, data: dict[str, Any]) -> int:
    created = 0
    if not await session.scalar(select(func.count()).select_from(OpeningHours)):
        for weekday, intervals in data["opening_hours"].items():
            for start, end in intervals:
                session.add(
                    OpeningHours(weekday=int(weekday), start_time=_hm(start), end_time=_hm(end))
                )
                created += 1
    today = utcnow().astimezone(zone()).date()
    closed = set(await session.scalars(select(Closure.start_date)))
    for item in data["closures"]:
        for year in (today.year, today.year + 1):
            day = date(year, item["month"], item["day"])
            if day >= today and day not in closed:
                session.add(
                    Closure(
                        id=new_id(),
                        start_date=day,
                        end_date=day,
                        reason=item["reason"],
                        created_at=utcnow(),
                    )
                )
                created += 1
    return created


async def _stock(session: AsyncSession, data: dict[str, Any]) -> int:
    """A supplier, one order received (the lip balm only in part), thresholds and the
    massage oil each massage uses: only into a salon with no supplier yet."""
    if await session.scalar(select(func.count()).select_from(Supplier)):
        return 0
    products = await _by_name(session, Product, Product.sku)
    services = await _by_name(session, Service, Service.name)
    supplier = await purchasing.create_supplier(session, data["supplier"])
    lines, received = [], []
    for sku, item in data["items"].items():
        product_id = products[sku].id
        settings = {"low_threshold": None, "allow_negative": False} | item["item"]
        await stock.set_item(session, product_id, **settings)
        lines.append(purchasing.OrderLineIn(product_id, item["ordered"], item["cost_cents"]))
        received.append(purchasing.ReceivedLine(product_id, item["received"]))
    view = await purchasing.create_order(
        session,
        supplier_id=supplier.id,
        lines=lines,
        reference="DEMO-1",
        note=None,
        actor_user_id=None,
    )
    await purchasing.receive(session, view.order, received, actor_user_id=None)
    for name, uses in data["recipes"].items():
        await recipes.set_recipe(
            session, services[name].id, [(products[sku].id, q) for sku, q in uses.items()]
        )
    return 2 + len(lines) + len(data["recipes"])


async def _demo_bookings(session: AsyncSession, people: list[dict[str, str]]) -> int:
    """A few bookings over the coming days, so the calendar is not empty: only into a salon
    that has none, each placed by the slot engine like a phone booking."""
    if await session.scalar(select(func.count()).select_from(Booking)):
        return 0
    services = list(
        await session.scalars(
            select(Service)
            .where(Service.is_active.is_(True), Service.price_cents > 0)
            .order_by(Service.name)
        )
    )
    start_day = utcnow().astimezone(zone()).date() + timedelta(days=1)
    made = 0
    for n in range(DEMO_BOOKINGS * 3):
        if made == DEMO_BOOKINGS:
            break
        service = services[(n * 7) % len(services)]
        day = start_day + timedelta(days=n % 6)
        slots = await availability.find_slots(
            session, service_ids=[service.id], date_from=day, date_to=day, online=False
        )
        if not slots:
            continue
        person = people[n % len(people)]
        client = await clients.find_or_create(
            session,
            first_name=person["first_name"],
            last_name=person["last_name"],
            email=person["email"],
            phone=person["phone"],
        )
        slot = slots[(n * 5) % len(slots)]
        await bookings.create_booking(
            session,
            bookings.Actor(kind="staff"),
            _new_booking(service.id, slot.start, slot.practitioner_ids[0], client.id),
        )
        made += 1
    return made


def _new_booking(service_id: UUID, start: Any, practitioner_id: UUID, client_id: UUID) -> Any:
    return bookings.NewBooking(
        service_ids=[service_id],
        start=start,
        practitioner_id=practitioner_id,
        client_id=client_id,
        client=None,
        source=BookingSource.phone,
        notes=None,
        location=BookingLocation.salon,
        home_address=None,
        home_point=None,
        terms_version=None,
    )


async def load_demo_salon(seed_dir: Path = SEED_DIR) -> list[str]:
    """Load every part of the demo salon; returns one summary line per part."""
    salon = read_seed("salon.json", seed_dir)
    lines = []
    async with unit_of_work() as session:
        team = read_seed("team.json", seed_dir)
        # Resources first: services name the rooms they need.
        resources_only = {"resources": team["resources"], "practitioners": []}
        created = await _team(session, resources_only)
        created += await _catalog(session, read_seed("catalog.json", seed_dir))
        created += await _team(session, team)
        created += await _salon(session, salon)
        created += await _stock(session, read_seed("stock.json", seed_dir))
    lines.append(f"demo salon: {created} rows created")
    async with unit_of_work() as session:
        made = await _demo_bookings(session, salon["demo_clients"])
    lines.append(f"demo bookings: {made} created")
    return lines
