"""Free slots: load what a search needs in a few queries, then compute in memory."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import union_all
from sqlalchemy.ext.asyncio import AsyncSession

from app.availability import repository, schedule_config
from app.availability.engine import Candidate, SlotEngine, Step
from app.availability.errors import (
    DateRangeInvalid,
    HomeVisitNotPossible,
    NoSuchPractitionerForServices,
    ServicesNotBookable,
)
from app.availability.intervals import Interval, IntervalSet, intersect
from app.availability.schedule_config import RulesConfig, ScheduleConfig, weekly_intervals
from app.bookings import public as bookings
from app.catalog.public import ServiceSpec
from app.core.cache import (
    SCHEDULE_BUSY,
    SCHEDULE_CONFIG,
    Versions,
    get_store,
    read_versions,
    versions_statement,
)
from app.core.cache import ttl as cache_ttl
from app.core.clock import utcnow
from app.core.timeutils import epoch, local_day_span, local_instants, zone
from app.practitioners import public as practitioners
from app.practitioners.public import PractitionerSchedule

MAX_SEARCH_DAYS = 31
# Whether a cold search's computation runs in a worker thread (bench/slots.py measures both).
COMPUTE_IN_THREAD = False
# Staff may record a walk-in that started a little while ago.
STAFF_PAST_GRACE = 3600


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime
    end: datetime
    practitioner_ids: list[UUID]
    gap_free: bool


def _bookable_specs(
    config: ScheduleConfig, service_ids: list[UUID], *, online: bool, home: bool
) -> list[ServiceSpec]:
    specs = {sid: config.specs[sid] for sid in service_ids if sid in config.specs}
    if home and not all(s.home_visit_available for s in specs.values()):
        raise HomeVisitNotPossible("One or more of these services is not offered at home.")
    missing = [sid for sid in service_ids if sid not in specs]
    closed = [s.id for s in specs.values() if not s.is_active or (online and not s.online_bookable)]
    if missing or closed or not service_ids:
        raise ServicesNotBookable(
            "One or more services do not exist or cannot be booked.",
            extra={"service_ids": [str(s) for s in missing + closed]},
        )
    return [specs[sid] for sid in service_ids]


def _steps_for(
    schedule: PractitionerSchedule, specs: list[ServiceSpec], travel: int
) -> list[Step] | None:
    """Her steps for these services; at a client's home, travel time pads each side and the
    salon's rooms are not needed."""
    steps = []
    for spec in specs:
        terms = schedule.services.get(spec.id)
        if terms is None:
            return None
        steps.append(
            Step(
                service_id=spec.id,
                duration=(terms.duration_minutes or spec.duration_minutes) * 60,
                buffer_before=spec.buffer_before_minutes * 60 + travel,
                buffer_after=spec.buffer_after_minutes * 60 + travel,
                processing_offset=spec.processing_offset_minutes * 60,
                processing=spec.processing_minutes * 60,
                resource_ids=() if travel else spec.resource_ids,
            )
        )
    return steps


@dataclass
class _Loaded:
    engine: SlotEngine
    tz: ZoneInfo
    rules: RulesConfig
    schedules: list[PractitionerSchedule]
    days: list[date]
    fetched: _Fetched | None = None


Ranges = dict[UUID, list[Interval]]


def _window(date_from: date, date_to: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    # One extra day each side: buffers and late services cross midnight.
    return (
        local_day_span(date_from - timedelta(days=1), tz)[0],
        local_day_span(date_to + timedelta(days=1), tz)[1],
    )


@dataclass(frozen=True, slots=True)
class _Fetched:
    config: ScheduleConfig
    busy: Ranges
    resource_busy: Ranges
    versions: Versions
    # When the first hold counted as busy expires (epoch seconds): a search kept in the cache
    # is stale from then on, though nothing was committed.
    hold_expiry: int | None


async def _fetch(
    session: AsyncSession,
    window: tuple[datetime, datetime],
    now: datetime,
    exclude_booking_id: UUID | None,
) -> _Fetched:
    """Everything that changes all the time (bookings and live holds, blocks, absences) plus
    the cache versions, in one round trip (one snapshot); the configuration itself from
    memory."""
    statement = union_all(
        versions_statement(),
        bookings.next_hold_expiry_statement(start=window[0], end=window[1], now=now),
        repository.block_statement(*window),
        practitioners.absence_statement(window),
        *bookings.busy_statements(
            start=window[0], end=window[1], now=now, exclude_booking_id=exclude_booking_id
        ),
    )
    version_rows = []
    hold_expiry = None
    by_practitioner: Ranges = {}
    by_resource: Ranges = {}
    for kind, holder_id, start, end in await session.execute(statement):
        if kind == "practitioner" and holder_id is not None:
            by_practitioner.setdefault(holder_id, []).append((start, end))
        elif kind == "resource" and holder_id is not None:
            by_resource.setdefault(holder_id, []).append((start, end))
        elif kind == "hold_expiry":
            hold_expiry = start
        else:  # a version row
            version_rows.append((kind, holder_id, start, end))
    versions = Versions.from_rows(version_rows)
    config = await schedule_config.for_versions(session, versions)
    return _Fetched(config, by_practitioner, by_resource, versions, hold_expiry)


def _build(
    config: ScheduleConfig,
    specs: list[ServiceSpec],
    busy: Ranges,
    resource_busy: Ranges,
    *,
    days: list[date],
    practitioner_id: UUID | None,
    home: bool,
) -> _Loaded:
    """The engine for these dates, computed in memory."""
    tz = zone()
    travel = config.rules.home_travel if home else 0
    schedules = [
        s for s in config.practitioners if practitioner_id is None or s.id == practitioner_id
    ]
    steps = {s.id: st for s in schedules if (st := _steps_for(s, specs, travel)) is not None}
    if practitioner_id is not None and practitioner_id not in steps:
        raise NoSuchPractitionerForServices()
    schedules = [s for s in schedules if s.id in steps]
    salon_open = config.salon_open(days, tz)
    engine = SlotEngine(
        steps=steps,
        salon_open=IntervalSet(salon_open),
        working={
            s.id: IntervalSet(intersect(weekly_intervals(s.weekly_hours, days, tz), salon_open))
            for s in schedules
        },
        busy={pid: IntervalSet(busy.get(pid, ())) for pid in steps},
        resource_busy={rid: IntervalSet(ranges) for rid, ranges in resource_busy.items()},
        min_gap={s.id: config.shortest_service(s) for s in schedules},
    )
    return _Loaded(engine=engine, tz=tz, rules=config.rules, schedules=schedules, days=days)


async def _load(
    session: AsyncSession,
    service_ids: list[UUID],
    *,
    date_from: date,
    date_to: date,
    practitioner_id: UUID | None,
    online: bool,
    home: bool,
    now: datetime,
    exclude_booking_id: UUID | None = None,
) -> tuple[_Loaded, list[ServiceSpec]]:
    window = _window(date_from, date_to, zone())
    fetched = await _fetch(session, window, now, exclude_booking_id)
    specs = _bookable_specs(fetched.config, service_ids, online=online, home=home)
    days = [date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)]
    loaded = _build(
        fetched.config,
        specs,
        fetched.busy,
        fetched.resource_busy,
        days=days,
        practitioner_id=practitioner_id,
        home=home,
    )
    loaded.fetched = fetched
    return loaded, specs


def _day_grid(day: date, interval: int, tz: ZoneInfo) -> list[int]:
    """The wall-clock grid of one local date as epoch seconds. On an ordinary day it is plain
    arithmetic from midnight; on the two days the clocks change, each wall time is resolved
    (the skipped hour has none, the repeated hour has two)."""
    midnight, next_midnight = local_day_span(day, tz)
    if next_midnight - midnight == timedelta(days=1):
        base = epoch(midnight)
        return list(range(base, base + 86400, interval))
    step = interval // 60
    return [
        epoch(instant)
        for minute in range(0, 24 * 60, step)
        for instant in local_instants(day, time(minute // 60, minute % 60), tz)
    ]


def _grid(loaded: _Loaded, now: datetime, *, online: bool, bounded: bool = True) -> list[int]:
    """Candidate starts: every `slot_interval_minutes` of local wall-clock time from midnight
    (09:00, 09:15, ...), while the salon is open, after the lead time and before the horizon
    (both only for online bookings). Unbounded, the starts of every date whatever the time:
    what the cache keeps, bounded when read."""
    earliest = epoch(now) + (loaded.rules.lead if online else 0) if bounded else None
    latest_day = (now.astimezone(loaded.tz) + timedelta(days=loaded.rules.horizon_days)).date()
    starts: list[int] = []
    for day in loaded.days:
        if bounded and online and day > latest_day:
            break
        starts += [
            moment
            for moment in _day_grid(day, loaded.rules.interval, loaded.tz)
            if (earliest is None or moment >= earliest)
            and loaded.engine.salon_open.covers(moment, moment + 1)
        ]
    return sorted(starts)


def _slots(loaded: _Loaded, grid: list[int], *, gap_free_first: bool) -> list[Slot]:
    by_start: dict[int, list[Candidate]] = {}
    for schedule in loaded.schedules:
        for candidate in loaded.engine.scan(schedule.id, grid):
            by_start.setdefault(candidate.start, []).append(candidate)
    slots: list[Slot] = []
    for start in sorted(by_start):
        fits = by_start[start]
        for end in sorted({c.end for c in fits}):
            same_end = [c for c in fits if c.end == end]
            slots.append(
                Slot(
                    start=datetime.fromtimestamp(start, loaded.tz),
                    end=datetime.fromtimestamp(end, loaded.tz),
                    practitioner_ids=[c.practitioner_id for c in same_end],
                    gap_free=any(c.gap_free for c in same_end),
                )
            )
    if gap_free_first:
        slots.sort(key=lambda slot: not slot.gap_free)
    return slots


def _check_range(date_from: date, date_to: date) -> None:
    if date_to < date_from or (date_to - date_from).days >= MAX_SEARCH_DAYS:
        raise DateRangeInvalid(f"Ask for 1 to {MAX_SEARCH_DAYS} days, date_from first.")


async def find_slots(
    session: AsyncSession,
    *,
    service_ids: list[UUID],
    date_from: date,
    date_to: date,
    practitioner_id: UUID | None = None,
    online: bool = True,
    home: bool = False,
    gap_free_first: bool = False,
) -> list[Slot]:
    """Start times at which these services, in this order, can be booked with one
    practitioner (or any), between two local dates included (computed, never cached)."""
    _check_range(date_from, date_to)
    now = utcnow()
    loaded, _ = await _load(
        session,
        service_ids,
        date_from=date_from,
        date_to=date_to,
        practitioner_id=practitioner_id,
        online=online,
        home=home,
        now=now,
    )
    return _slots(loaded, _grid(loaded, now, online=online), gap_free_first=gap_free_first)


# The cached search (docs/performance.md, "Slot cache"). An entry is the whole answer for
# every date of the search, before the lead time and the horizon (which move with the clock)
# are applied: a header line `until lead horizon_days` (until: when a hold it counts expires,
# 0 for never), then one line per slot `start local_date_ordinal json`, in answer order.


def _entry(loaded: _Loaded, slots: list[Slot], render: Callable[[Slot], bytes]) -> bytes:
    fetched = loaded.fetched
    until = fetched.hold_expiry if fetched is not None and fetched.hold_expiry else 0
    lines = [b"%d %d %d" % (until, loaded.rules.lead, loaded.rules.horizon_days)]
    lines += [b"%d %d %s" % (epoch(s.start), s.start.date().toordinal(), render(s)) for s in slots]
    return b"\n".join(lines)


def _answer(entry: bytes, now: datetime, *, online: bool) -> bytes | None:
    """The JSON answer (`{"slots": [...]}`) an entry gives at `now`; None when it died with a
    hold."""
    header, *lines = entry.split(b"\n")
    until, lead, horizon_days = (int(part) for part in header.split(b" "))
    moment = epoch(now)
    if until and until <= moment:
        return None
    earliest = moment + (lead if online else 0)
    last_day = (
        (now.astimezone(zone()) + timedelta(days=horizon_days)).date().toordinal()
        if online
        else None
    )
    kept = []
    for line in lines:
        start, ordinal, fragment = line.split(b" ", 2)
        if int(start) >= earliest and (last_day is None or int(ordinal) <= last_day):
            kept.append(fragment)
    return b'{"slots":[' + b",".join(kept) + b"]}"


async def slots_answer(
    session: AsyncSession,
    *,
    service_ids: list[UUID],
    date_from: date,
    date_to: date,
    render: Callable[[Slot], bytes],
    practitioner_id: UUID | None = None,
    online: bool = True,
    home: bool = False,
    gap_free_first: bool = False,
) -> bytes:
    """`find_slots` as the API answers it (JSON bytes, each slot rendered by `render`), from
    the shared cache when the versions read now are those it was computed at."""
    _check_range(date_from, date_to)
    now = utcnow()
    store = get_store()
    params = ":".join(
        [
            ",".join(str(s) for s in service_ids),
            date_from.isoformat(),
            date_to.isoformat(),
            str(practitioner_id or ""),
            "o" if online else "s",
            "h" if home else "",
            "g" if gap_free_first else "",
        ]
    )
    if store is not None:
        versions = await read_versions(session)
        if versions.clean:
            raw = await store.get(_slots_key(versions, params))
            answer = _answer(raw, now, online=online) if raw is not None else None
            if answer is not None:
                return answer
    loaded, _ = await _load(
        session,
        service_ids,
        date_from=date_from,
        date_to=date_to,
        practitioner_id=practitioner_id,
        online=online,
        home=home,
        now=now,
    )

    def compute() -> bytes:
        grid = _grid(loaded, now, online=online, bounded=False)
        return _entry(loaded, _slots(loaded, grid, gap_free_first=gap_free_first), render)

    # Pure Python, 5-8 ms for a busy week: in a thread it would give the loop back at each
    # GIL switch (5 ms) but add a hand-off; measured in bench/slots.py, kept inline
    # (docs/performance.md).
    entry = await asyncio.to_thread(compute) if COMPUTE_IN_THREAD else compute()
    fetched = loaded.fetched
    if store is not None and fetched is not None and fetched.versions.clean:
        # Keyed by the versions read in the same snapshot as the rows it was computed from.
        await store.set(_slots_key(fetched.versions, params), entry, cache_ttl())
    # A hold it counts expires after `now`, so the entry answers.
    return _answer(entry, now, online=online) or b'{"slots":[]}'


def _slots_key(versions: Versions, params: str) -> str:
    return "slots:" + versions.key(SCHEDULE_CONFIG, SCHEDULE_BUSY) + ":" + params


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a booking goes: the practitioner, each service's times and price, and what to
    allocate."""

    candidate: Candidate
    specs: list[ServiceSpec]
    prices: list[int]


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a start time cannot be booked: one of `REFUSAL_REASONS`."""

    reason: str


# Stable reasons answered with `slot_unavailable` (docs/scheduling.md).
REFUSAL_REASONS = (
    "in_the_past",
    "within_lead_time",
    "beyond_horizon",
    "salon_closed",
    "outside_opening_hours",
    "off_grid",
    "practitioner_not_working",
    "taken",
)


def _refusal(loaded: _Loaded, moment: int, now: datetime, *, online: bool, past: bool) -> str:
    """The first rule the start time breaks, checked in the order a client would ask."""
    if moment < epoch(now) - (0 if online else STAFF_PAST_GRACE) and not past:
        return "in_the_past"
    if online and moment < epoch(now) + loaded.rules.lead:
        return "within_lead_time"
    local = datetime.fromtimestamp(moment, loaded.tz)
    horizon = (now.astimezone(loaded.tz) + timedelta(days=loaded.rules.horizon_days)).date()
    if online and local.date() > horizon:
        return "beyond_horizon"
    day_start, day_end = (epoch(t) for t in local_day_span(local.date(), loaded.tz))
    if not loaded.engine.salon_open.overlaps(day_start, day_end):
        return "salon_closed"
    if not loaded.engine.salon_open.covers(moment, moment + 1):
        return "outside_opening_hours"
    if online and moment not in set(_day_grid(local.date(), loaded.rules.interval, loaded.tz)):
        return "off_grid"
    if not any(w.covers(moment, moment + 1) for w in loaded.engine.working.values()):
        return "practitioner_not_working"
    return "taken"


async def place(
    session: AsyncSession,
    *,
    service_ids: list[UUID],
    start: datetime,
    practitioner_id: UUID | None,
    online: bool,
    home: bool = False,
    exclude_booking_id: UUID | None = None,
    past_allowed: bool = False,
) -> Placed | Refusal:
    """Re-check one exact start time on the server, as a booking is made or moved. With any
    practitioner, one for whom the booking leaves no unusable gap is preferred. Staff may
    place a walk-in that already happened (`past_allowed`); a time that cannot be booked
    answers why."""
    now = utcnow()
    day = start.astimezone(zone()).date()
    loaded, specs = await _load(
        session,
        service_ids,
        date_from=day,
        date_to=day,
        practitioner_id=practitioner_id,
        online=online,
        home=home,
        now=now,
        exclude_booking_id=exclude_booking_id,
    )
    moment = epoch(start)
    fits: list[Candidate] = []
    on_grid = not online or moment in set(_grid(loaded, now, online=True))
    in_time = online or past_allowed or moment >= epoch(now) - STAFF_PAST_GRACE
    if on_grid and in_time:
        fits = [c for s in loaded.schedules if (c := loaded.engine.place(s.id, moment))]
    if not fits:
        return Refusal(_refusal(loaded, moment, now, online=online, past=past_allowed))
    best = min(fits, key=lambda c: not c.gap_free)
    terms = next(s for s in loaded.schedules if s.id == best.practitioner_id).services
    prices = [terms[spec.id].price_cents or spec.price_cents for spec in specs]
    return Placed(candidate=best, specs=specs, prices=prices)
