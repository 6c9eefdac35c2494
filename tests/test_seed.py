from __future__ import annotations

from datetime import date
from typing import Any

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.bookings.models import Booking
from app.catalog.models import Product, Service, ServicePrerequisite
from app.practitioners.models import Practitioner, WorkingHours
from app.seed import load_demo_salon
from tests.builders import AuthHeaders


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
    assert second == [
        "demo salon: 0 rows created",
        "demo bookings: 0 created",
        "demo plan: 0 created",
    ]
    assert first[1:] == ["demo bookings: 10 created", "demo plan: 1 created"]
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


async def test_the_demo_salon_takes_a_deposit_and_a_balance_with_no_provider_keys(
    session: AsyncSession,
    client: AsyncClient,
    auth_headers: AuthHeaders,
    no_provider_keys: None,
) -> None:
    """What `make run` shows: book online, pay the deposit (console), take the rest on the
    (console) card reader."""
    await load_demo_salon()
    massage = await session.scalar(select(Service).where(Service.name == "Massage relaxant 60 min"))
    assert massage is not None
    from datetime import timedelta

    from app.core.clock import utcnow

    first_day = utcnow().date() + timedelta(days=2)
    days = await client.get(
        "/api/v1/availability/slots",
        params={
            "service_ids": str(massage.id),
            "date_from": first_day.isoformat(),
            "date_to": (first_day + timedelta(days=6)).isoformat(),
        },
    )
    start = days.json()["slots"][0]["start"]
    who = {"first_name": "Léa", "last_name": "Demo", "email": "lea@example.fr"}
    held = await client.post(
        "/api/v1/bookings", json={"service_ids": [str(massage.id)], "start": start, "client": who}
    )
    booking = held.json()
    assert booking["status"] == "pending_payment"
    assert booking["deposit_cents"] == 2000

    checkout = await client.post(
        "/api/v1/payments/deposits",
        json={"booking_id": booking["id"], "method": "stripe", "token": booking["manage_token"]},
    )
    paid = await client.post(
        f"/api/v1/payments/{checkout.json()['payment_id']}/simulate", json={"outcome": "succeeded"}
    )
    desk = await auth_headers(Role.receptionist)
    reader = await client.post(
        "/api/v1/payments/terminal/readers",
        json={"pairing_code": "DEMO1234", "name": "Comptoir"},
        headers=await auth_headers(Role.manager),
    )
    balance = await client.post(
        "/api/v1/payments/in-person",
        json={
            "booking_id": booking["id"],
            "method": "sumup_terminal",
            "reader_id": reader.json()["id"],
        },
        headers=desk,
    )
    tapped = await client.post(
        f"/api/v1/payments/{balance.json()['id']}/simulate", json={"outcome": "succeeded"}
    )
    due = await client.get(f"/api/v1/bookings/{booking['id']}/balance", headers=desk)

    assert paid.json()["status"] == "succeeded"
    assert balance.json()["amount_cents"] == 6000
    assert tapped.json()["status"] == "succeeded"
    assert due.json()["paid_cents"] == 8000
    assert due.json()["due_cents"] == 0


async def test_every_demo_product_has_its_own_valid_ean13(session: AsyncSession) -> None:
    from stdnum import ean

    await load_demo_salon()

    barcodes = list(await session.scalars(select(Product.barcode)))
    assert len(barcodes) == 6
    assert all(code is not None and len(code) == 13 and ean.is_valid(code) for code in barcodes)
    assert len(set(barcodes)) == len(barcodes)


async def _journal(session: AsyncSession) -> list[tuple[str, dict[str, Any]]]:
    from app.journal.models import JournalRecord

    rows = await session.execute(
        select(JournalRecord.kind, JournalRecord.payload)
        .where(JournalRecord.chain == "sales")
        .order_by(JournalRecord.sequence)
    )
    return [(kind, payload) for kind, payload in rows]


async def test_the_demo_till_sold_and_closed_the_last_three_open_days_once(
    session: AsyncSession,
) -> None:
    from app.auth.models import User
    from app.core.clock import utcnow
    from app.core.db import unit_of_work
    from app.core.timeutils import zone
    from app.journal import public as journal
    from app.sales.models import CashRegister, Order, RegisterSession
    from app.seed import load_demo_till
    from app.stock.models import StockItem
    from tests.factories.auth import make_user

    await load_demo_salon()
    owner = await make_user(role=Role.owner)

    first = await load_demo_till()
    records = await _journal(session)
    second = await load_demo_till()

    assert first == ["demo till: 3 days sold and closed, 15 tickets, 1 credit ticket"]
    assert second == ["demo till: 0 days (the journal already has sales)"]
    assert await _journal(session) == records
    [till] = list(await session.scalars(select(CashRegister)))
    assert till.name == "Accueil"
    sessions = list(
        await session.scalars(select(RegisterSession).order_by(RegisterSession.opened_at))
    )
    assert len(sessions) == 3
    assert all(s.closed_at is not None and s.float_cents == 15000 for s in sessions)
    assert [s.difference_cents for s in sessions] == [0, -50, 0]
    assert all(s.opened_by_user_id == owner.id for s in sessions)
    assert await session.scalar(select(func.count()).select_from(User)) == 1

    kinds = [kind for kind, _ in records]
    assert kinds.count("ticket") == 15
    assert kinds.count("credit_ticket") == 1
    assert kinds.count("register_opened") == kinds.count("register_closed") == 3
    zs = [payload for kind, payload in records if kind == "closing_day"]
    today = utcnow().astimezone(zone()).date()
    days = [date.fromisoformat(z["period"]) for z in zs]
    assert days == sorted(days)
    assert len(days) == 3
    assert all(day < today and day.weekday() != 6 for day in days)  # closed on Sundays
    assert (today - days[-1]).days <= 2
    assert [z["totals"]["ticket_count"] for z in zs] == [5, 6, 5]
    methods = {t["method"] for z in zs for t in z["totals"]["by_tender"]}
    assert methods == {"cash", "bank_transfer"}
    assert zs[-1]["perpetual_total_cents"] == sum(z["totals"]["total_incl_vat_cents"] for z in zs)
    orders = list(await session.scalars(select(Order)))
    assert len(orders) == 15
    assert all(o.status == "completed" and o.ticket_number for o in orders)
    assert sum(1 for o in orders if o.client_id is not None) >= 5
    on_hand = dict(
        (
            await session.execute(
                select(Product.sku, StockItem.on_hand).join(
                    StockItem, StockItem.product_id == Product.id
                )
            )
        ).all()
    )
    # Sold over the three days: 3 creams, 2 serums, 4 lip balms (one brought back).
    assert on_hand == {"SER-CRH-50": 9, "SER-SER-30": 6, "SER-BAU-10": 7, "SER-HUI-100": 1000}
    async with unit_of_work() as work:
        assert (await journal.verify(work)).ok


async def test_the_demo_till_waits_for_an_owner_to_sell_as(session: AsyncSession) -> None:
    from app.seed import load_demo_till

    await load_demo_salon()

    made = await load_demo_till()

    assert made == ["demo till: 0 days (no owner account to sell as)"]
    assert await _journal(session) == []
