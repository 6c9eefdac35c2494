"""The salon's schedule configuration, kept in memory between searches.

Services, practitioners with their weekly hours, opening hours, exceptional openings,
closures and booking rules change a few times a week but are read by every search. Triggers
bump the `schedule_config` cache version at the commit of any change to those tables
(migration 0039, app/core/cache.py); each search reads it in its one query and reloads
everything when it moved, so a change made through any API process is seen by all of them on
their next search.

The version comes from a sequence and is bumped by every statement that changes those
tables, at once: a transaction that changed the configuration reads a number of its own,
which nobody else sees unless it commits, and a number a rolled-back transaction took is
never given again, so a configuration kept under it can never stand for other rows. What was
loaded is kept only when the version read after loading (several statements, several
snapshots under READ COMMITTED) is the one read before: nothing changed in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import lru_cache
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from app.availability import repository
from app.availability.intervals import Interval, merge
from app.catalog import public as catalog
from app.catalog.public import ServiceSpec
from app.core.cache import SCHEDULE_CONFIG, Versions, read_versions
from app.core.clock import utcnow
from app.core.timeutils import epoch, local_day_span, local_instant, zone
from app.practitioners import public as practitioners
from app.practitioners.public import PractitionerSchedule

WeeklyHours = tuple[tuple[int, time, time], ...]


@dataclass(frozen=True, slots=True)
class RulesConfig:
    interval: int
    lead: int
    horizon_days: int
    home_travel: int


@dataclass(frozen=True, slots=True)
class ScheduleConfig:
    version: str
    specs: dict[UUID, ServiceSpec]
    practitioners: tuple[PractitionerSchedule, ...]
    opening_hours: WeeklyHours
    special_openings: dict[date, list[tuple[time, time]]]
    closed_dates: frozenset[date]
    rules: RulesConfig

    def salon_open(self, days: list[date], tz: ZoneInfo) -> list[Interval]:
        """When the salon is open on these dates: weekly hours, replaced on dates with
        exceptional hours, and nothing on closed dates."""
        intervals: list[Interval] = []
        for day in days:
            if day in self.closed_dates:
                continue
            if day in self.special_openings:
                intervals += [
                    iv
                    for a, b in self.special_openings[day]
                    if (iv := local_interval(day, a, b, tz))
                ]
            else:
                intervals += weekly_intervals(self.opening_hours, [day], tz)
        return merge(intervals)

    def shortest_service(self, schedule: PractitionerSchedule) -> int:
        """Seconds of the shortest bookable service she performs: a hole in her day shorter
        than that cannot be sold."""
        durations = [
            (terms.duration_minutes or self.specs[sid].duration_minutes) * 60
            for sid, terms in schedule.services.items()
            if sid in self.specs and self.specs[sid].is_active and self.specs[sid].online_bookable
        ]
        return min(durations, default=0)


@lru_cache(maxsize=8192)
def local_interval(day: date, start: time, end: time, tz: ZoneInfo) -> Interval | None:
    """A local wall-clock interval of one date as epoch seconds. A wall time skipped by the
    clocks going forward starts at the change."""
    a = local_instant(day, start, tz) or local_day_span(day, tz)[0]
    b = local_instant(day, end, tz) or a
    return (epoch(a), epoch(b)) if a < b else None


def weekly_intervals(hours: WeeklyHours, days: list[date], tz: ZoneInfo) -> list[Interval]:
    """Weekly local hours turned into instants, date by date (each date gets its own UTC
    offset)."""
    by_weekday: dict[int, list[tuple[time, time]]] = {}
    for weekday, start, end in hours:
        by_weekday.setdefault(weekday, []).append((start, end))
    intervals: list[Interval] = []
    for day in days:
        for start, end in by_weekday.get(day.weekday(), ()):
            interval = local_interval(day, start, end, tz)
            if interval is not None:
                intervals.append(interval)
    return merge(intervals)


_cached: ScheduleConfig | None = None


async def for_versions(session: AsyncSession, versions: Versions) -> ScheduleConfig:
    """The configuration at these versions (read by the caller in its search query): from
    memory when nothing changed, reloaded otherwise."""
    global _cached
    key = versions.key(SCHEDULE_CONFIG)
    cached = _cached
    if cached is not None and cached.version == key:
        return cached
    loaded = await _load(session, key)
    if (await read_versions(session)).key(SCHEDULE_CONFIG) == key:
        _cached = loaded
    return loaded


def forget() -> None:
    """Drop this process's copy (tests that compare a cold search with a warm one)."""
    global _cached
    _cached = None


async def _load(session: AsyncSession, version: str) -> ScheduleConfig:
    rules = await repository.get_booking_rules(session)
    since = utcnow().astimezone(zone()).date() - timedelta(days=2)
    special: dict[date, list[tuple[time, time]]] = {}
    for opening in await repository.special_openings_between(session, since, date.max):
        special.setdefault(opening.on_date, []).append((opening.start_time, opening.end_time))
    closed: set[date] = set()
    for closure in await repository.closures_between(session, since, date.max):
        span = (closure.end_date - closure.start_date).days
        closed.update(closure.start_date + timedelta(days=n) for n in range(span + 1))
    return ScheduleConfig(
        version=version,
        specs=await catalog.get_service_specs(session),
        practitioners=tuple(await practitioners.load_practitioners(session)),
        opening_hours=tuple(
            (h.weekday, h.start_time, h.end_time)
            for h in await repository.list_opening_hours(session)
        ),
        special_openings=special,
        closed_dates=frozenset(closed),
        rules=RulesConfig(
            interval=rules.slot_interval_minutes * 60,
            lead=rules.min_lead_time_minutes * 60,
            horizon_days=rules.max_advance_days,
            home_travel=rules.home_travel_minutes * 60,
        ),
    )
