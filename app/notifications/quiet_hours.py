"""When a marketing SMS may go: Monday to Saturday, 08:00 to 20:00, not on a public holiday
(French practice and the CNIL's recommendation; service messages such as reminders may go at
any time)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays

from app.core.timeutils import zone

OPENS, CLOSES = time(8, 0), time(20, 0)


@lru_cache(maxsize=16)
def _french_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("FR", years=year))


def is_quiet_day(day: date) -> bool:
    return day.weekday() == 6 or day in _french_holidays(day.year)


def next_marketing_sms_time(now: datetime) -> datetime:
    """`now` if a marketing SMS may go now, else the next morning it may."""
    tz = zone()
    local = now.astimezone(tz)
    if not is_quiet_day(local.date()) and OPENS <= local.time() < CLOSES:
        return now
    day = local.date() if local.time() < OPENS else local.date() + timedelta(days=1)
    while is_quiet_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, OPENS, tzinfo=tz).astimezone(UTC)  # 08:00 always exists
