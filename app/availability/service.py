"""Free slots: load what a search needs in a few queries, then compute in memory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from app.availability import repository
from app.availability.engine import Candidate, SlotEngine, Step
from app.availability.intervals import Interval, IntervalSet, intersect, merge
from app.availability.slot_errors import (
    DateRangeInvalid,
    HomeVisitNotPossible,
    NoSuchPractitionerForServices,
    ServicesNotBookable,
)
from app.bookings import public as bookings
from app.catalog import public as catalog
from app.catalog.public import ServiceSpec
from app.core.clock import utcnow
from app.core.timeutils import local_day_span, local_instant, local_instants, zone
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


@dataclass(frozen=True, slots=True)
class Rules:
    interval: int
    lead: int
    horizon_days: int


def _ts(moment: datetime) -> int:
    return int(moment.timestamp())


async def _bookable_specs(
    session: AsyncSession, service_ids: list[UUID], *, online: bool, home: bool
) -> list[ServiceSpec]:
    specs = await catalog.get_service_specs(session, service_ids)
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
    rules: Rules
    schedules: list[PractitionerSchedule]
    days: list[date]


async def _load(
    session: AsyncSession,
    specs: list[ServiceSpec],
    *,
    date_from: date,
    date_to: date,
    practitioner_id: UUID | None,
    now: datetime,
    home: bool = False,
    exclude_booking_id: UUID | None = None,
) -> _Loaded:
    tz = zone()
    rules_row = await repository.get_booking_rules(session)
    travel = rules_row.home_travel_minutes * 60 if home else 0
    # One extra day each side: buffers and late services cross midnight.
    window = (
        local_day_span(date_from - timedelta(days=1), tz)[0],
        local_day_span(date_to + timedelta(days=1), tz)[1],
    )
    filter_ids = [practitioner_id] if practitioner_id else None
    schedules = await practitioners.load_schedules(
        session, window=window, practitioner_ids=filter_ids
    )
    steps = {s.id: st for s in schedules if (st := _steps_for(s, specs, travel)) is not None}
    if practitioner_id is not None and practitioner_id not in steps:
        raise NoSuchPractitionerForServices()
    schedules = [s for s in schedules if s.id in steps]
    resource_ids = {rid for spec in specs for rid in spec.resource_ids} if not home else set()
    rules = Rules(
        interval=rules_row.slot_interval_minutes * 60,
        lead=rules_row.min_lead_time_minutes * 60,
        horizon_days=rules_row.max_advance_days,
    )
    days = [date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)]
    salon_open = await _salon_open(session, days, tz)
    blocks = await repository.blocks_between(
        session, window[0], window[1], practitioner_ids=list(steps)
    )
    busy_by_practitioner, busy_by_resource = await bookings.busy_time(
        session,
        start=window[0],
        end=window[1],
        now=now,
        practitioner_ids=list(steps),
        resource_ids=resource_ids,
        exclude_booking_id=exclude_booking_id,
    )
    busy: dict[UUID, list[Interval]] = {pid: [] for pid in steps}
    for block in blocks:
        busy[block.practitioner_id].append((_ts(block.start_at), _ts(block.end_at)))
    for schedule in schedules:
        busy[schedule.id] += [(_ts(a), _ts(b)) for a, b in schedule.absences]
        busy[schedule.id] += [
            (_ts(a), _ts(b)) for a, b in busy_by_practitioner.get(schedule.id, ())
        ]
    engine = SlotEngine(
        steps=steps,
        salon_open=IntervalSet(salon_open),
        working={
            s.id: IntervalSet(intersect(_weekly(s.weekly_hours, days, tz), salon_open))
            for s in schedules
        },
        busy={pid: IntervalSet(intervals) for pid, intervals in busy.items()},
        resource_busy={
            rid: IntervalSet((_ts(a), _ts(b)) for a, b in ranges)
            for rid, ranges in busy_by_resource.items()
        },
        min_gap=await _shortest_services(session, schedules),
    )
    return _Loaded(engine=engine, tz=tz, rules=rules, schedules=schedules, days=days)


def _weekly(
    hours: tuple[tuple[int, time, time], ...] | list[tuple[int, time, time]],
    days: list[date],
    tz: ZoneInfo,
) -> list[Interval]:
    """Weekly local hours turned into instants, date by date (so each date gets its own UTC
    offset). A wall time skipped by the clocks going forward starts at the change."""
    by_weekday: dict[int, list[tuple[time, time]]] = {}
    for weekday, start, end in hours:
        by_weekday.setdefault(weekday, []).append((start, end))
    intervals: list[Interval] = []
    for day in days:
        for start, end in by_weekday.get(day.weekday(), ()):
            interval = _local_interval(day, start, end, tz)
            if interval is not None:
                intervals.append(interval)
    return merge(intervals)


def _local_interval(day: date, start: time, end: time, tz: ZoneInfo) -> Interval | None:
    a = local_instant(day, start, tz) or local_day_span(day, tz)[0]
    b = local_instant(day, end, tz) or a
    return (_ts(a), _ts(b)) if a < b else None


async def _salon_open(session: AsyncSession, days: list[date], tz: ZoneInfo) -> list[Interval]:
    """When the salon is open: weekly hours, replaced on dates with exceptional hours, and
    nothing on closed dates."""
    weekly = [
        (h.weekday, h.start_time, h.end_time) for h in await repository.list_opening_hours(session)
    ]
    special: dict[date, list[tuple[time, time]]] = {}
    for opening in await repository.special_openings_between(session, days[0], days[-1]):
        special.setdefault(opening.on_date, []).append((opening.start_time, opening.end_time))
    closed: set[date] = set()
    for closure in await repository.closures_between(session, days[0], days[-1]):
        span = (closure.end_date - closure.start_date).days
        closed.update(closure.start_date + timedelta(days=n) for n in range(span + 1))
    intervals: list[Interval] = []
    for day in days:
        if day in closed:
            continue
        if day in special:
            intervals += [iv for a, b in special[day] if (iv := _local_interval(day, a, b, tz))]
        else:
            intervals += _weekly(weekly, [day], tz)
    return merge(intervals)


async def _shortest_services(
    session: AsyncSession, schedules: list[PractitionerSchedule]
) -> dict[UUID, int]:
    """Per practitioner, the shortest bookable service she performs: a hole in her day shorter
    than that cannot be sold."""
    catalog_minutes = await catalog.shortest_durations(
        session, {sid for s in schedules for sid in s.services}
    )
    return {
        schedule.id: 60
        * min(
            (
                terms.duration_minutes or catalog_minutes[sid]
                for sid, terms in schedule.services.items()
                if sid in catalog_minutes
            ),
            default=0,
        )
        for schedule in schedules
    }


def _day_grid(day: date, interval: int, tz: ZoneInfo) -> list[int]:
    """The wall-clock grid of one local date as epoch seconds. On an ordinary day it is plain
    arithmetic from midnight; on the two days the clocks change, each wall time is resolved
    (the skipped hour has none, the repeated hour has two)."""
    midnight, next_midnight = local_day_span(day, tz)
    if next_midnight - midnight == timedelta(days=1):
        base = _ts(midnight)
        return list(range(base, base + 86400, interval))
    step = interval // 60
    return [
        _ts(instant)
        for minute in range(0, 24 * 60, step)
        for instant in local_instants(day, time(minute // 60, minute % 60), tz)
    ]


def _grid(loaded: _Loaded, now: datetime, *, online: bool) -> list[int]:
    """Candidate starts: every `slot_interval_minutes` of local wall-clock time from midnight
    (09:00, 09:15, ...), while the salon is open, after the lead time and before the horizon
    (both only for online bookings)."""
    earliest = _ts(now) + (loaded.rules.lead if online else 0)
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
    specs = await _bookable_specs(session, service_ids, online=online, home=home)
    now = utcnow()
    loaded = await _load(
        session,
        specs,
        date_from=date_from,
        date_to=date_to,
        practitioner_id=practitioner_id,
        now=now,
        home=home,
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


async def place(
    session: AsyncSession,
    *,
    service_ids: list[UUID],
    start: datetime,
    practitioner_id: UUID | None,
    online: bool,
    home: bool = False,
    exclude_booking_id: UUID | None = None,
) -> Placed | None:
    """Re-check one exact start time on the server, as a booking is made or moved. With any
    practitioner, one for whom the booking leaves no unusable gap is preferred."""
    specs = await _bookable_specs(session, service_ids, online=online, home=home)
    now = utcnow()
    day = start.astimezone(zone()).date()
    loaded = await _load(
        session,
        specs,
        date_from=day,
        date_to=day,
        practitioner_id=practitioner_id,
        now=now,
        home=home,
        exclude_booking_id=exclude_booking_id,
    )
    moment = _ts(start)
    if online and moment not in set(_grid(loaded, now, online=True)):
        return None
    if not online and moment < _ts(now) - STAFF_PAST_GRACE:
        return None
    fits = [c for s in loaded.schedules if (c := loaded.engine.place(s.id, moment))]
    if not fits:
        return None
    best = min(fits, key=lambda c: not c.gap_free)
    terms = next(s for s in loaded.schedules if s.id == best.practitioner_id).services
    prices = [terms[spec.id].price_cents or spec.price_cents for spec in specs]
    return Placed(candidate=best, specs=specs, prices=prices)
