"""Weekly hours as the API takes them: `[{"weekday": 0, "start": "09:00", "end": "12:00"}]`,
weekday 0 = Monday, local wall-clock times, several intervals a day, no overlaps."""

from __future__ import annotations

from datetime import time
from itertools import pairwise
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, model_validator
from sqlalchemy import CheckConstraint

from app.core.errors import ValidationFailed


def _hhmm(value: time) -> time:
    if value.second or value.microsecond:
        raise ValueError("use HH:MM")
    return value


HourMinute = Annotated[
    time,
    AfterValidator(_hhmm),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
    Field(examples=["09:00"]),
]


class WeeklyInterval(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"example": {"weekday": 0, "start": "09:00", "end": "12:00"}}
    )

    weekday: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")
    start: HourMinute
    end: HourMinute

    @model_validator(mode="after")
    def _ordered(self) -> WeeklyInterval:
        if self.start >= self.end:
            raise ValueError("start must be before end")
        return self


class OverlappingHours(ValidationFailed):
    code, title = "overlapping_hours", "Two intervals of the same day overlap"


def check_no_overlap(intervals: list[WeeklyInterval]) -> list[WeeklyInterval]:
    """Sorted by weekday and start; raises OverlappingHours when two intervals of a day
    overlap (touching is fine: 09:00-12:00 then 12:00-13:00)."""
    ordered = sorted(intervals, key=lambda i: (i.weekday, i.start))
    for previous, current in pairwise(ordered):
        if previous.weekday == current.weekday and current.start < previous.end:
            raise OverlappingHours(
                f"Intervals overlap on weekday {current.weekday}: "
                f"{previous.start:%H:%M}-{previous.end:%H:%M} and "
                f"{current.start:%H:%M}-{current.end:%H:%M}"
            )
    return ordered


def weekly_interval_checks() -> tuple[CheckConstraint, CheckConstraint]:
    """The database side of `WeeklyInterval`, for every table of weekly hours."""
    return (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_valid"),
        CheckConstraint("start_time < end_time", name="interval_valid"),
    )
