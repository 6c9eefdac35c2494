from __future__ import annotations

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
