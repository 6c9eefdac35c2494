"""The demo salon loaded by `python -m app.cli seed` (and `make run`), from seed_data/.

Every row is looked up by a natural key (a name, a SKU, an e-mail) before it is created, so
seeding twice changes nothing and never overwrites what staff have edited since. This module
is a composition root, like the CLI: it may write any domain's tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role, User, UserKind
from app.auth.principal import Principal
from app.availability import public as availability
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
from app.core.clock import frozen_at, utcnow
from app.core.config import PROJECT_ROOT
from app.core.db import unit_of_work
from app.core.ids import new_id
from app.core.timeutils import local_instant, zone
from app.journal import public as journal
from app.journal.models import JournalRecord
from app.practitioners.models import Practitioner, PractitionerService, Resource, WorkingHours
from app.sales import checkout
from app.sales import orders as sales_orders
from app.sales import repository as sales_repository
from app.sales import returns as sales_returns
from app.sales import service as sales_service
from app.sales.models import CashRegister, LineKind
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
    async with unit_of_work() as session:
        lines.append(f"demo plan: {await _demo_plan(session)} created")
    return lines


async def _demo_plan(session: AsyncSession) -> int:
    """ "Abonnement soins": one facial a month and -10 % on products (docs/subscriptions.md)."""
    from decimal import Decimal

    from sqlalchemy import select

    from app.catalog.models import Service
    from app.subscriptions import plans
    from app.subscriptions.models import SubscriptionPlan

    name = "Abonnement soins"
    if await session.scalar(select(SubscriptionPlan.id).where(SubscriptionPlan.name == name)):
        return 0
    facial = await session.scalar(
        select(Service.id).where(Service.name == "Soin hydratant profond")
    )
    terms = plans.PlanTerms(
        name=name,
        interval="month",
        price_cents=5900,
        vat_rate=Decimal("20.00"),
        allowances={facial: 1} if facial else {},
        description="Un soin hydratant profond par mois et -10 % sur les produits.",
        product_discount_percent=10,
    )
    await plans.create_plan(session, terms, actor_user_id=None)
    return 1


async def _owner(session: AsyncSession) -> Principal | None:
    """The salon's first active owner: the demo till's sales are hers."""
    user = await session.scalar(
        select(User)
        .where(User.kind == UserKind.staff, User.role == Role.owner, User.is_active.is_(True))
        .order_by(User.created_at)
        .limit(1)
    )
    if user is None:
        return None
    return Principal(user_id=user.id, kind=UserKind.staff, role=Role.owner, email=user.email)


async def _open_days(
    session: AsyncSession, today: date, count: int, closures: list[dict[str, Any]]
) -> list[tuple[date, time, time]]:
    """The last `count` days before `today` the salon was open (its weekly hours, no closure),
    oldest first, each with its opening and closing times."""
    hours: dict[int, list[tuple[time, time]]] = {}
    for row in await session.scalars(select(OpeningHours)):
        hours.setdefault(row.weekday, []).append((row.start_time, row.end_time))
    yearly = {(c["month"], c["day"]) for c in closures}
    shut = [(c.start_date, c.end_date) for c in await session.scalars(select(Closure))]
    days: list[tuple[date, time, time]] = []
    day = today
    while hours and len(days) < count:
        day -= timedelta(days=1)
        spans = hours.get(day.weekday())
        closed = (day.month, day.day) in yearly or any(a <= day <= b for a, b in shut)
        if spans and not closed:
            days.append((day, min(s for s, _ in spans), max(e for _, e in spans)))
    return sorted(days)


def _at(day: date, wall: time, minutes: int = 0) -> datetime:
    instant = local_instant(day, wall, zone()) or datetime.combine(day, wall, tzinfo=zone())
    return instant + timedelta(minutes=minutes)


def _minutes(start: time, end: time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def _counted(total_cents: int) -> list[journal.DenominationCount]:
    """The drawer counted note by note, coin by coin (largest first)."""
    counted, left = [], max(total_cents, 0)
    for value in sales_service.DENOMINATIONS:
        if left >= value:
            counted.append(journal.DenominationCount(value_cents=value, count=left // value))
            left %= value
    return counted


@dataclass(frozen=True, slots=True)
class _Desk:
    """What the demo till's orders name, by their seed names."""

    actor: Principal
    register_id: UUID
    services: dict[str, UUID]
    practitioners: dict[str, UUID]
    products: dict[str, tuple[UUID, str | None]]  # sku: id, barcode
    clients: list[UUID]


def _line(desk: _Desk, item: dict[str, Any]) -> sales_orders.LineAsked:
    if "service" in item:
        return sales_orders.LineAsked(
            kind=LineKind.service,
            service_id=desk.services[item["service"]],
            practitioner_id=desk.practitioners[item["practitioner"]],
            discount_cents=item.get("discount_cents", 0),
            discount_reason=item.get("discount_reason"),
        )
    product_id, barcode = desk.products[item["product"]]
    return sales_orders.LineAsked(  # scanned when it has a barcode, picked by id otherwise
        kind=LineKind.product,
        product_id=None if barcode else product_id,
        barcode=barcode,
        quantity=item.get("quantity", 1),
    )


async def _sell(desk: _Desk, item: dict[str, Any], at: datetime) -> UUID:
    """One order, each step in its own transaction as at the desk: create, tenders, ticket."""
    client = item.get("client")
    asked = sales_orders.OrderAsked(
        register_id=desk.register_id,
        booking_id=None,
        client_id=desk.clients[client] if client is not None else None,
        lines=[_line(desk, line) for line in item["lines"]],
    )
    with frozen_at(at):
        async with unit_of_work() as session:
            order = await sales_orders.create_order(session, asked, desk.actor)
    for n, tender in enumerate(item["tenders"], start=1):
        paid = checkout.TenderAsked(tender["method"], tender.get("amount_cents"))
        with frozen_at(at + timedelta(minutes=n)):
            async with unit_of_work() as session:
                await checkout.add_tender(session, order.id, paid, desk.actor)
    with frozen_at(at + timedelta(minutes=len(item["tenders"]) + 1)):
        async with unit_of_work() as session:
            await checkout.complete_order(session, order.id, desk.actor)
    return order.id


async def _give_back(desk: _Desk, order_id: UUID, item: dict[str, Any], at: datetime) -> None:
    """A credit ticket for a product brought back (resold: it goes back on the shelf)."""
    product_id = desk.products[item["product"]][0]
    with frozen_at(at):
        async with unit_of_work() as session:
            order = await sales_orders.get_order(session, order_id)
            lines = await sales_repository.lines_of(session, order_id)
            line = next(line for line in lines if line.product_id == product_id)
            asked = sales_returns.ReturnAsked(
                lines=[sales_returns.ReturnLineAsked(line.id, item["quantity"])],
                reason=item["reason"],
            )
            assert order.ticket_record_id is not None  # noqa: S101 - completed just before
            await sales_returns.refund_ticket(session, order.ticket_record_id, asked, desk.actor)


async def _till_day(
    desk: _Desk, day: date, opens: time, closes: time, script: dict[str, Any], float_cents: int
) -> int:
    """Open the till with its float, sell the day's orders, count the drawer, close the
    till and the day (Z). Returns the credit tickets made."""
    with frozen_at(_at(day, opens, -15)):
        async with unit_of_work() as session:
            register = await sales_service.get_register(session, desk.register_id)
            await sales_service.open_register(
                session, register, float_cents=float_cents, actor_id=desk.actor.user_id
            )
    orders = script["orders"]
    step = _minutes(opens, closes) // (len(orders) + 1)
    credits = 0
    for n, item in enumerate(orders, start=1):
        at = _at(day, opens, n * step)
        order_id = await _sell(desk, item, at)
        if "returned" in item:
            await _give_back(desk, order_id, item["returned"], at + timedelta(minutes=step // 2))
            credits += 1
    with frozen_at(_at(day, closes, 10)):
        async with unit_of_work() as session:
            register = await sales_service.get_register(session, desk.register_id, lock=True)
            opened = await sales_service.current_session(session, register)
            expected = await sales_service.expected_cash(session, opened)
            counted = _counted(expected.total_cents + script["counted_difference_cents"])
            await sales_service.close_register(
                session, register, counted=counted, actor_id=desk.actor.user_id
            )
    with frozen_at(_at(day, closes, 20)):
        async with unit_of_work() as session:
            await journal.close_day(session, day)
    return credits


async def _desk(session: AsyncSession, actor: Principal, name: str, people: Any) -> _Desk:
    register = await session.scalar(select(CashRegister).where(CashRegister.name == name))
    if register is None:
        register = await sales_service.create_register(session, name=name)
    people_ids = []
    for person in people:
        found = await clients.find_or_create(
            session,
            first_name=person["first_name"],
            last_name=person["last_name"],
            email=person["email"],
            phone=person["phone"],
        )
        people_ids.append(found.id)
    products = {p.sku: (p.id, p.barcode) for p in await session.scalars(select(Product)) if p.sku}
    return _Desk(
        actor=actor,
        register_id=register.id,
        services={s.name: s.id for s in await session.scalars(select(Service))},
        practitioners={p.display_name: p.id for p in await session.scalars(select(Practitioner))},
        products=products,
        clients=people_ids,
    )


async def load_demo_till(seed_dir: Path = SEED_DIR) -> list[str]:
    """The till "Accueil" and its last few open days before today, sold and closed through
    the till's own use cases with the clock set to each day: only into a journal with no
    sales yet (it is append-only: a past day cannot follow a present one), and as the owner
    (so after `seed` has made sure one exists)."""
    data = read_seed("till.json", seed_dir)
    salon = read_seed("salon.json", seed_dir)
    async with unit_of_work() as session:
        sold = await session.scalar(
            select(func.count())
            .select_from(JournalRecord)
            .where(JournalRecord.chain == journal.Chain.sales)
        )
        if sold:
            return ["demo till: 0 days (the journal already has sales)"]
        actor = await _owner(session)
        if actor is None:
            return ["demo till: 0 days (no owner account to sell as)"]
        today = utcnow().astimezone(zone()).date()
        days = await _open_days(session, today, len(data["days"]), salon["closures"])
        desk = await _desk(session, actor, data["register"], salon["demo_clients"])
    tickets = credits = 0
    for (day, opens, closes), script in zip(days, data["days"], strict=False):
        credits += await _till_day(desk, day, opens, closes, script, data["float_cents"])
        tickets += len(script["orders"])
    plural = "s" if credits != 1 else ""
    return [
        f"demo till: {len(days)} days sold and closed, {tickets} tickets,"
        f" {credits} credit ticket{plural}"
    ]
