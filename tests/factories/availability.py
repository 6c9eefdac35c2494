"""The salon's opening hours, closures and special openings, inserted directly. Hours are
local to Europe/Paris."""

from __future__ import annotations

from datetime import date

from app.availability.models import Closure, OpeningHours, SpecialOpening
from app.core.clock import utcnow
from app.core.db import unit_of_work
from tests.factories.core import WEEK, hm


async def open_salon(
    hours: list[tuple[str, str]] | None = None, weekdays: range | list[int] = WEEK
) -> None:
    async with unit_of_work() as session:
        for weekday in weekdays:
            for start, end in hours or [("08:00", "20:00")]:
                session.add(OpeningHours(weekday=weekday, start_time=hm(start), end_time=hm(end)))


async def add_closure(start: date, end: date) -> None:
    async with unit_of_work() as session:
        session.add(
            Closure(start_date=start, end_date=end, reason="Fermeture", created_at=utcnow())
        )


async def add_special_opening(on: date, start: str, end: str) -> None:
    async with unit_of_work() as session:
        session.add(SpecialOpening(on_date=on, start_time=hm(start), end_time=hm(end)))
