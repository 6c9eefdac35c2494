"""Benchmark of the slot engine and of booking under contention.

Builds a salon of 10 practitioners, 40 services and 5,000 bookings over 90 days in a
throwaway database, then prints:
- p50/p95 server time of a 7-day slot search (one service, any practitioner; and two
  services in sequence), measured around the service call and around the full HTTP request;
- bookings per second when 50 clients race for 20 slots, and how many succeeded (must be 20).

Run it with `make bench` (which starts PostgreSQL if needed). Figures are printed, never
asserted: compare runs on the same machine.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from datetime import date, datetime, timedelta
from decimal import Decimal

from _shared import configure, percentile, run_benchmark, throwaway_database

# The race sends 50 bookings from one address: the abuse limit would answer most of them 429.
DB_NAME = configure(
    "slots",
    DATABASE_POOL_SIZE="20",
    DATABASE_MAX_OVERFLOW="40",
    LIMITS_BOOKING_PER_ADDRESS="1000/hour",
)

from httpx import ASGITransport, AsyncClient  # noqa: E402
from sqlalchemy.dialects.postgresql import Range  # noqa: E402

from app.availability import service as availability  # noqa: E402
from app.availability.models import OpeningHours  # noqa: E402
from app.bookings.models import Booking, BookingAllocation, BookingItem  # noqa: E402
from app.catalog.models import Service  # noqa: E402
from app.clients.models import Client  # noqa: E402
from app.core import clock  # noqa: E402
from app.core.db import get_sessionmaker, unit_of_work  # noqa: E402
from app.core.ids import new_id  # noqa: E402
from app.core.timeutils import zone  # noqa: E402
from app.practitioners.models import Practitioner, PractitionerService, WorkingHours  # noqa: E402

TZ = zone("Europe/Paris")
START_DAY = date(2027, 1, 4)  # a Monday
NOW = datetime(2027, 1, 3, 18, tzinfo=TZ)
RUNS = 100
WARMUP = 10
RACE_DAY = START_DAY + timedelta(days=80)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


async def build_salon() -> tuple[list[Service], list[Practitioner]]:
    rng = random.Random(7)
    now = clock.utcnow()
    services = [
        Service(
            id=new_id(),
            name=f"Soin {n}",
            duration_minutes=rng.choice([30, 45, 60, 75, 90]),
            buffer_before_minutes=0,
            buffer_after_minutes=rng.choice([0, 0, 10, 15]),
            processing_offset_minutes=0,
            processing_minutes=0,
            price_cents=5000,
            vat_rate=Decimal("20.00"),
            deposit_kind="none",
            online_bookable=True,
            home_visit_available=False,
            is_active=True,
            display_order=n,
            created_at=now,
            updated_at=now,
        )
        for n in range(40)
    ]
    practitioners = [
        Practitioner(
            id=new_id(),
            display_name=f"Praticienne {n}",
            color="#8E7CC3",
            is_active=True,
            display_order=n,
            created_at=now,
            updated_at=now,
        )
        for n in range(10)
    ]
    async with unit_of_work() as session:
        session.add_all(services + practitioners)
        await session.flush()
        for weekday in range(6):
            session.add(
                OpeningHours(
                    weekday=weekday,
                    start_time=_at(START_DAY, 9).time(),
                    end_time=_at(START_DAY, 20).time(),
                )
            )
        for p in practitioners:
            for s in {*rng.sample(services, 25), *services[:2]}:
                session.add(PractitionerService(practitioner_id=p.id, service_id=s.id))
            for weekday in range(6):
                for a, b in ((9, 13), (14, 19)):
                    session.add(
                        WorkingHours(
                            practitioner_id=p.id,
                            weekday=weekday,
                            start_time=_at(START_DAY, a).time(),
                            end_time=_at(START_DAY, b).time(),
                        )
                    )
    return services, practitioners


async def add_bookings(services: list[Service], practitioners: list[Practitioner]) -> int:
    """5,000 confirmed 45-minute bookings over 90 days, on distinct hours of each
    practitioner's day (so none overlaps), spread at random."""
    rng = random.Random(11)
    now = clock.utcnow()
    client = Client(
        id=new_id(),
        first_name="Bench",
        last_name="Client",
        email="b@example.fr",
        created_at=now,
        updated_at=now,
    )
    days = [START_DAY + timedelta(days=n) for n in range(90)]
    cells = [
        (p, d, h)
        for p in practitioners
        for d in days
        if d.weekday() < 6 and d != RACE_DAY
        for h in (9, 10, 11, 12, 14, 15, 16, 17, 18)
    ]
    chosen = rng.sample(cells, 5000)
    async with unit_of_work() as session:
        session.add(client)
        await session.flush()
        for practitioner, day, hour in chosen:
            start = _at(day, hour, rng.choice([0, 15]))
            end = start + timedelta(minutes=45)
            booking = Booking(
                id=new_id(),
                client_id=client.id,
                status="confirmed",
                source="phone",
                location="salon",
                start_at=start,
                end_at=end,
                total_cents=5000,
                created_at=now,
                updated_at=now,
            )
            session.add(booking)
            session.add(
                BookingItem(
                    booking_id=booking.id,
                    position=0,
                    service_id=services[0].id,
                    practitioner_id=practitioner.id,
                    start_at=start,
                    end_at=end,
                    price_cents=5000,
                    vat_rate=Decimal("20.00"),
                )
            )
            session.add(
                BookingAllocation(
                    booking_id=booking.id,
                    practitioner_id=practitioner.id,
                    during=Range(start, end, bounds="[)"),
                )
            )
    return len(chosen)


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), percentile(ordered, 0.95)


async def baseline() -> float:
    """Median round trip of `SELECT 1` through a pooled session: the machine's own latency,
    to read the other figures against (this VM's loopback varies from run to run)."""
    from sqlalchemy import text

    samples = []
    async with get_sessionmaker()() as session:
        for _ in range(100):
            began = time.perf_counter()
            await session.execute(text("SELECT 1"))
            samples.append((time.perf_counter() - began) * 1000)
    median = statistics.median(samples[10:])
    print(f"baseline: SELECT 1 round trip p50 {median:.2f} ms")
    return median


async def time_search(service_ids: list, label: str, http: AsyncClient, unit: float) -> None:
    service_times, http_times, counts = [], [], []
    for run in range(WARMUP + RUNS):
        first = START_DAY + timedelta(days=7 * (run % 12))
        async with get_sessionmaker()() as session:
            began = time.perf_counter()
            found = await availability.find_slots(
                session,
                service_ids=service_ids,
                date_from=first,
                date_to=first + timedelta(days=6),
            )
            service_times.append((time.perf_counter() - began) * 1000)
        counts.append(len(found))
        began = time.perf_counter()
        response = await http.get(
            "/api/v1/availability/slots",
            params={
                "service_ids": ",".join(map(str, service_ids)),
                "date_from": first.isoformat(),
                "date_to": (first + timedelta(days=6)).isoformat(),
            },
        )
        http_times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.text
    p50, p95 = _percentiles(service_times[WARMUP:])
    h50, h95 = _percentiles(http_times[WARMUP:])
    print(
        f"{label}: service p50 {p50:.1f} ms, p95 {p95:.1f} ms | HTTP p50 {h50:.1f} ms, "
        f"p95 {h95:.1f} ms | {statistics.mean(counts):.0f} slots per search"
    )


async def race(http: AsyncClient, service_id: object) -> None:
    # 20 back-to-back 15-minute slots of one practitioner on a day left empty for the race.
    targets = [_at(RACE_DAY, 9) + timedelta(minutes=15 * n) for n in range(12)]
    targets += [_at(RACE_DAY, 14) + timedelta(minutes=15 * n) for n in range(8)]

    async def attempt(n: int) -> int:
        response = await http.post(
            "/api/v1/bookings",
            json={
                "service_ids": [str(service_id)],
                "start": targets[n % 20].isoformat(),
                "practitioner_id": PRACTITIONER,
                "client": {"first_name": "R", "last_name": str(n), "email": f"r{n}@example.fr"},
            },
        )
        return response.status_code

    began = time.perf_counter()
    statuses = await asyncio.gather(*(attempt(n) for n in range(50)))
    elapsed = time.perf_counter() - began
    print(
        f"race: 50 clients for 20 slots in {elapsed * 1000:.0f} ms -> "
        f"{50 / elapsed:.0f} booking attempts/s, {statuses.count(201)} succeeded "
        f"(expected 20), {statuses.count(409)} refused with 409"
    )


PRACTITIONER = ""


async def main() -> None:
    global PRACTITIONER
    async with throwaway_database(DB_NAME):
        clock.pin(NOW)
        services, practitioners = await build_salon()
        made = await add_bookings(services, practitioners)
        print(
            f"salon: {len(practitioners)} practitioners, {len(services)} services, "
            f"{made} bookings over 90 days"
        )
        quick = Service(
            id=new_id(),
            name="Sourcils",
            duration_minutes=15,
            buffer_before_minutes=0,
            buffer_after_minutes=0,
            processing_offset_minutes=0,
            processing_minutes=0,
            price_cents=1500,
            vat_rate=Decimal("20.00"),
            deposit_kind="none",
            online_bookable=True,
            home_visit_available=False,
            is_active=True,
            display_order=99,
            created_at=clock.utcnow(),
            updated_at=clock.utcnow(),
        )
        async with unit_of_work() as session:
            session.add(quick)
            await session.flush()
            session.add(
                PractitionerService(practitioner_id=practitioners[0].id, service_id=quick.id)
            )
        PRACTITIONER = str(practitioners[0].id)

        from app.main import app

        transport = ASGITransport(app=app)
        unit = await baseline()
        async with AsyncClient(transport=transport, base_url="http://bench") as http:
            await time_search(
                [services[0].id], "7-day search, 1 service, any practitioner", http, unit
            )
            await time_search(
                [services[0].id, services[1].id], "7-day search, 2 services in sequence", http, unit
            )
            await race(http, quick.id)


if __name__ == "__main__":
    run_benchmark(main)
