"""Salon time: weekly rules are local wall-clock times, turned into instants date by date.

Durations are always added to UTC instants (here, epoch seconds), never to local times, so a
service that crosses a daylight-saving change ends when it really ends.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, AwareDatetime, PlainSerializer

from app.core.config import get_settings


@lru_cache(maxsize=8)
def zone(name: str | None = None) -> ZoneInfo:
    return ZoneInfo(name or get_settings().salon.timezone)


def local_instant(day: date, wall: time, tz: ZoneInfo) -> datetime | None:
    """The instant a local wall-clock time happens on `day`, or None when it does not exist
    (the hour skipped when clocks go forward). An hour that happens twice gives the first."""
    local = datetime.combine(day, wall, tzinfo=tz)
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def local_instants(day: date, wall: time, tz: ZoneInfo) -> list[datetime]:
    """Every instant a local wall-clock time happens on `day`: none in the hour skipped in
    spring, two in the hour repeated in autumn, one otherwise."""
    found: list[datetime] = []
    for fold in (0, 1):
        local = datetime.combine(day, wall, tzinfo=tz).replace(fold=fold)
        instant = local.astimezone(UTC)
        exists = instant.astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None)
        if exists and instant not in found:
            found.append(instant)
    return found


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def local_day_span(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[midnight, next midnight) of a local date as UTC instants: 23 or 25 hours on the days
    the clocks change."""
    return local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)


def epoch(moment: datetime) -> int:
    """Whole seconds since 1970 UTC: the slot engine's unit of time."""
    return int(moment.timestamp())


def require_aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a date-time needs its UTC offset, e.g. 2027-03-29T09:00:00+02:00")
    return value.astimezone(UTC)


def in_salon_zone(value: datetime) -> str:
    """The one format of an instant the API answers: RFC 3339 in the salon's time zone, with
    its offset (2027-03-29T09:00:00+02:00); docs/decisions.md."""
    return value.astimezone(zone()).isoformat()


# A date-time answered in the salon's time zone, with its offset (2027-03-29T09:00:00+02:00).
SalonDateTime = Annotated[datetime, PlainSerializer(in_salon_zone, return_type=str)]


MIN_YEAR, MAX_YEAR = 1900, 2200


def _plausible(value: date) -> date:
    # Far dates overflow date arithmetic (9999-12-31 + 1 day) and mean a typo anyway.
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"the year must be between {MIN_YEAR} and {MAX_YEAR}")
    return value


def _plausible_instant(value: datetime) -> datetime:
    _plausible(value.date())
    return value


# Dates and date-times accepted from clients: a plausible year, and an offset for instants.
SalonDate = Annotated[date, AfterValidator(_plausible)]
AwareInstant = Annotated[AwareDatetime, AfterValidator(_plausible_instant)]
