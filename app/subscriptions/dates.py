"""Calendar months (a commitment of 12 months, a pause of 2), clamped to the month's end."""

from __future__ import annotations

import calendar
from datetime import date, datetime


def months_after(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def shift(moment: datetime, months: int) -> datetime:
    """The same instant's wall clock `months` later (UTC instants: no DST in play)."""
    day = months_after(moment.date(), months)
    return moment.replace(year=day.year, month=day.month, day=day.day)
