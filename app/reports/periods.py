"""A report's range: local dates from `date_from` to `date_to` included, read as the UTC
instants [local midnight of the first day, local midnight after the last) in the salon's zone,
so a day is 23 or 25 hours when the clocks change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.core.timeutils import local_midnight, zone
from app.reports.errors import ReportRangeReversed, ReportRangeTooLong

MAX_DAYS = 366


@dataclass(frozen=True, slots=True)
class Period:
    first: date
    last: date

    @property
    def start(self) -> datetime:
        return local_midnight(self.first, zone())

    @property
    def end(self) -> datetime:
        return local_midnight(self.last + timedelta(days=1), zone())


def period(first: date, last: date) -> Period:
    """The range of a report: ReportRangeReversed or ReportRangeTooLong (422) otherwise."""
    if first > last:
        raise ReportRangeReversed(f"date_from {first} is after date_to {last}")
    if (last - first).days + 1 > MAX_DAYS:
        raise ReportRangeTooLong(f"{first} to {last} is more than {MAX_DAYS} days")
    return Period(first, last)
