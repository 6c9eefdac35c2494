"""Benchmark of the slot engine and of booking under contention.

Builds a salon of 10 practitioners, 40 services and 5,000 bookings over 90 days in a
throwaway database, then prints:
- p50/p95 server time of a 7-day slot search (one service, any practitioner; and two
  services in sequence), computed every time (`find_slots`, no cache) and through the full
  HTTP request;
- the same search through HTTP answered by the slot cache: warm (the answer kept), cold (a
  week not kept yet, the configuration in memory) and cold with the configuration reloaded,
  with the memory store and, when Redis answers (`BENCH_REDIS_URL`, default
  redis://127.0.0.1:6379/0), the Redis store; and how long the pure-Python part of a cold
  search holds the event loop;
- bookings per second when 50 clients race for 20 slots, and how many succeeded (must be 20).

Run it with `make bench` (which starts PostgreSQL if needed). Figures are printed, never
asserted: compare runs on the same machine.
"""

from __future__ import annotations

import asyncio
import os
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
    # The figures without the cache first (as before it existed); `time_cached` turns it on.
    CACHE_BACKEND="off",
    REDIS_KEY_PREFIX=f"salon-bench-{os.getpid()}",
)

from httpx import ASGITransport, AsyncClient  # noqa: E402
from sqlalchemy.dialects.postgresql import Range  # noqa: E402

from app.availability import schedule_config  # noqa: E402
from app.availability import service as availability  # noqa: E402
from app.availability.models import OpeningHours  # noqa: E402
from app.bookings.models import Booking, BookingAllocation, BookingItem  # noqa: E402
from app.catalog.models import Service  # noqa: E402
from app.clients.models import Client  # noqa: E402
from app.core import cache, clock  # noqa: E402
from app.core.db import get_sessionmaker, unit_of_work  # noqa: E402
from app.core.ids import new_id  # noqa: E402
from app.core.redis import redis_key  # noqa: E402
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


def _use_store(backend: str, redis_url: str | None = None) -> None:
    """Switch the cache's store between runs (only searches run meanwhile: with REDIS_URL
    set, a booking would queue its tasks in that Redis)."""
    from app.core.config import get_settings

    os.environ["CACHE_BACKEND"] = backend
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    else:
        os.environ.pop("REDIS_URL", None)
    get_settings.cache_clear()
    cache.memory_store.clear()


async def time_cached(
    service_ids: list, label: str, http: AsyncClient, unit: float, store: str
) -> None:
    """Warm: the same week again and again. Cold: every run a week not kept (the store
    emptied first), the configuration in memory. Cold + config: the configuration reloaded
    too (as after a change to it)."""
    params = {"service_ids": ",".join(map(str, service_ids))}

    async def get(first: date) -> float:
        began = time.perf_counter()
        response = await http.get(
            "/api/v1/availability/slots",
            params=params
            | {
                "date_from": first.isoformat(),
                "date_to": (first + timedelta(days=6)).isoformat(),
            },
        )
        elapsed = (time.perf_counter() - began) * 1000
        assert response.status_code == 200, response.text
        return elapsed

    await get(START_DAY)
    warm = [await get(START_DAY) for _ in range(WARMUP + RUNS)][WARMUP:]
    floor = []
    for _ in range(WARMUP + RUNS):
        began = time.perf_counter()
        await http.get("/health")
        floor.append((time.perf_counter() - began) * 1000)
    f50, _ = _percentiles(floor[WARMUP:])
    from app.availability.router import _slot_json

    service_warm = []
    for _ in range(WARMUP + RUNS):
        async with get_sessionmaker()() as session:
            began = time.perf_counter()
            await availability.slots_answer(
                session,
                service_ids=service_ids,
                date_from=START_DAY,
                date_to=START_DAY + timedelta(days=6),
                render=_slot_json,
            )
            service_warm.append((time.perf_counter() - began) * 1000)
    s50, s95 = _percentiles(service_warm[WARMUP:])
    cold, cold_config = [], []
    for run in range(WARMUP + RUNS):
        first = START_DAY + timedelta(days=7 * (run % 12))
        await _empty_store(store)
        cold.append(await get(first))
        await _empty_store(store)
        schedule_config.forget()
        cold_config.append(await get(first))
    w50, w95 = _percentiles(warm)
    c50, c95 = _percentiles(cold[WARMUP:])
    k50, k95 = _percentiles(cold_config[WARMUP:])
    print(
        f"{label}, cached in {store}: service warm p50 {s50:.2f} ms, p95 {s95:.2f} ms | "
        f"HTTP warm p50 {w50:.2f} ms, p95 {w95:.2f} ms "
        f"({w50 / unit:.1f}x SELECT 1; GET /health p50 {f50:.2f} ms) | "
        f"cold p50 {c50:.1f} ms, p95 {c95:.1f} ms | "
        f"cold + configuration p50 {k50:.1f} ms, p95 {k95:.1f} ms"
    )


async def _empty_store(store: str) -> None:
    cache.memory_store.clear()
    if store == "redis":
        found = cache.get_store()
        if isinstance(found, cache.RedisStore):
            keys = [k async for k in found.client.scan_iter(redis_key("cache", "*"))]
            if keys:
                await found.client.delete(*keys)


async def time_public_reads(http: AsyncClient, unit: float) -> None:
    """The public catalog reads (41 services, 10 practitioners, the opening hours): built
    every time (cache off), from the cache, and a revalidation answered 304."""
    for path in ("/api/v1/services", "/api/v1/practitioners", "/api/v1/availability/opening-hours"):
        figures = []
        for backend in ("off", "memory"):
            _use_store(backend)
            samples = []
            for _ in range(WARMUP + RUNS):
                began = time.perf_counter()
                response = await http.get(path)
                samples.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200, response.text
            figures.append(_percentiles(samples[WARMUP:]))
        etag = response.headers["etag"]
        samples = []
        for _ in range(WARMUP + RUNS):
            began = time.perf_counter()
            response = await http.get(path, headers={"If-None-Match": etag})
            samples.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 304, response.status_code
        (o50, o95), (m50, m95) = figures
        n50, n95 = _percentiles(samples[WARMUP:])
        print(
            f"GET {path} ({len(response.headers.get('etag', ''))}-char ETag): built p50 "
            f"{o50:.2f} ms, p95 {o95:.2f} | cached p50 {m50:.2f} ms, p95 {m95:.2f} | "
            f"304 p50 {n50:.2f} ms, p95 {n95:.2f} ({n50 / unit:.1f}x SELECT 1)"
        )
    _use_store("off")


async def time_cpu(service_ids: list) -> None:
    """How long a cold search holds the event loop in pure Python (engine built, candidates
    placed, answer rendered), apart from its database round trips."""
    from app.availability.router import _slot_json

    samples = []
    for run in range(WARMUP + RUNS):
        first = START_DAY + timedelta(days=7 * (run % 12))
        async with get_sessionmaker()() as session:
            now = clock.utcnow()
            window = availability._window(first, first + timedelta(days=6), TZ)
            fetched = await availability._fetch(session, window, now, None)
            began = time.perf_counter()
            specs = availability._bookable_specs(
                fetched.config, service_ids, online=True, home=False
            )
            days = [first + timedelta(days=n) for n in range(7)]
            loaded = availability._build(
                fetched.config,
                specs,
                fetched.busy,
                fetched.resource_busy,
                days=days,
                practitioner_id=None,
                home=False,
            )
            loaded.fetched = fetched
            grid = availability._grid(loaded, now, online=True, bounded=False)
            entry = availability._entry(
                loaded, availability._slots(loaded, grid, gap_free_first=False), _slot_json
            )
            availability._answer(entry, now, online=True)
            samples.append((time.perf_counter() - began) * 1000)
    p50, p95 = _percentiles(samples[WARMUP:])
    print(
        f"cold search, pure Python part (holds the event loop): p50 {p50:.1f} ms, p95 {p95:.1f} ms"
    )


async def time_stall(service_ids: list, http: AsyncClient) -> None:
    """Does a cold search stall the other requests of its process? 8 cold searches at once
    (the store emptied first) while a ninth client calls GET /health in a loop after a 1 ms
    pause: how long each pause and call take, with the computation inline and in a thread
    (`COMPUTE_IN_THREAD`)."""
    for in_thread in (False, True):
        availability.COMPUTE_IN_THREAD = in_thread
        health: list[float] = []
        searches: list[float] = []
        for round_ in range(12):
            await _empty_store("memory")
            await _stall_round(service_ids, http, round_, health, searches)
        h50, h95 = _percentiles(health)
        s50, s95 = _percentiles(searches)
        print(
            f"8 cold searches at once, computation {'in a thread' if in_thread else 'inline'}: "
            f"1 ms pause + GET /health meanwhile p50 {h50:.1f} ms, p95 {h95:.1f} ms | "
            f"searches p50 {s50:.1f} ms, p95 {s95:.1f} ms"
        )
    availability.COMPUTE_IN_THREAD = False


async def _stall_round(
    service_ids: list, http: AsyncClient, round_: int, health: list[float], searches: list[float]
) -> None:
    done = asyncio.Event()
    params = {"service_ids": ",".join(map(str, service_ids))}

    async def search(n: int) -> None:
        first = START_DAY + timedelta(days=7 * ((round_ + n) % 12))
        began = time.perf_counter()
        await http.get(
            "/api/v1/availability/slots",
            params=params
            | {"date_from": first.isoformat(), "date_to": (first + timedelta(days=6)).isoformat()},
        )
        searches.append((time.perf_counter() - began) * 1000)

    async def ping() -> None:
        while not done.is_set():
            # GET /health does no I/O: without a pause of its own this loop would never let
            # the searches run. The pause counts: a loop held by a search wakes it late.
            began = time.perf_counter()
            await asyncio.sleep(0.001)
            await http.get("/health")
            health.append((time.perf_counter() - began) * 1000)

    pinger = asyncio.create_task(ping())
    await asyncio.gather(*(search(n) for n in range(8)))
    done.set()
    await pinger


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
    winners = [sum(1 for n in range(50) if n % 20 == t and statuses[n] == 201) for t in range(20)]
    print(
        f"race: 50 clients for 20 slots in {elapsed * 1000:.0f} ms -> "
        f"{50 / elapsed:.0f} booking attempts/s, {statuses.count(201)} succeeded "
        f"(expected 20), {statuses.count(409)} refused with 409; winners per slot: "
        f"{'exactly one each' if set(winners) == {1} else winners}"
    )
    if set(winners) != {1}:
        raise SystemExit("a slot was won by more or fewer than one client")


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
            await time_public_reads(http, unit)
            await time_cpu([services[0].id])
            stores = [("memory", None)]
            redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
            if await _redis_answers(redis_url):
                stores.append(("redis", redis_url))
            for store, url in stores:
                _use_store(store, url)
                await time_cached(
                    [services[0].id], "7-day search, 1 service, any practitioner", http, unit, store
                )
                await time_cached(
                    [services[0].id, services[1].id],
                    "7-day search, 2 services in sequence",
                    http,
                    unit,
                    store,
                )
                await _empty_store(store)
            _use_store("memory")
            await time_stall([services[0].id], http)
            await race(http, quick.id)


async def _redis_answers(url: str) -> bool:
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_timeout=1)
    try:
        return bool(await client.ping())
    except OSError:
        return False
    except Exception:
        return False
    finally:
        await client.aclose()


if __name__ == "__main__":
    run_benchmark(main)
