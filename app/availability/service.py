"""Free slots: load what a search needs in a few queries, then compute in memory."""

from __future__ import annotations

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
from app.core.clock import utcnow
from app.core.timeutils import epoch, local_day_span, local_instants, zone
from app.practitioners import public as practitioners
from app.practitioners.public import PractitionerSchedule

MAX_SEARCH_DAYS = 31
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


Ranges = dict[UUID, list[Interval]]


def _window(date_from: date, date_to: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    # One extra day each side: buffers and late services cross midnight.
    return (
        local_day_span(date_from - timedelta(days=1), tz)[0],
        local_day_span(date_to + timedelta(days=1), tz)[1],
    )


async def _fetch(
    session: AsyncSession,
    window: tuple[datetime, datetime],
    now: datetime,
    exclude_booking_id: UUID | None,
) -> tuple[ScheduleConfig, Ranges, Ranges]:
    """Everything that changes all the time (bookings and live holds, blocks, absences) plus
    the configuration version, in one round trip; the configuration itself from memory."""
    statement = union_all(
        repository.config_version_statement(),
        repository.block_statement(*window),
        practitioners.absence_statement(window),
        *bookings.busy_statements(
            start=window[0], end=window[1], now=now, exclude_booking_id=exclude_booking_id
        ),
    )
    version = 0
    by_practitioner: Ranges = {}
    by_resource: Ranges = {}
    for kind, holder_id, start, end in await session.execute(statement):
        if holder_id is None:  # the version row
            version = start
        elif kind == "practitioner":
            by_practitioner.setdefault(holder_id, []).append((start, end))
        else:
            by_resource.setdefault(holder_id, []).append((start, end))
    config = await schedule_config.for_version(session, version)
    return config, by_practitioner, by_resource


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
    config, busy, resource_busy = await _fetch(session, window, now, exclude_booking_id)
    specs = _bookable_specs(config, service_ids, online=online, home=home)
    days = [date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)]
    loaded = _build(
        config, specs, busy, resource_busy, days=days, practitioner_id=practitioner_id, home=home
    )
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


def _grid(loaded: _Loaded, now: datetime, *, online: bool) -> list[int]:
    """Candidate starts: every `slot_interval_minutes` of local wall-clock time from midnight
    (09:00, 09:15, ...), while the salon is open, after the lead time and before the horizon
    (both only for online bookings)."""
    earliest = epoch(now) + (loaded.rules.lead if online else 0)
    latest_day = (now.astimezone(loaded.tz) + timedelta(days=loaded.rules.horizon_days)).date()
    starts: list[int] = []
    for day in loaded.days:
        if online and day > latest_day:
            break
        starts += [
            moment
            for moment in _day_grid(day, loaded.rules.interval, loaded.tz)
            if moment >= earliest and loaded.engine.salon_open.covers(moment, moment + 1)
        ]
    return sorted(starts)


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
    practitioner (or any), between two local dates included."""
    if date_to < date_from or (date_to - date_from).days >= MAX_SEARCH_DAYS:
        raise DateRangeInvalid(f"Ask for 1 to {MAX_SEARCH_DAYS} days, date_from first.")
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
    grid = _grid(loaded, now, online=online)
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
