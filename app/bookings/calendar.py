"""The staff calendar (bookings, blocks, absences per practitioner) and the iCalendar feed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.availability import public as availability
from app.bookings import repository
from app.bookings.models import BookingStatus
from app.bookings.schemas import CalendarEntry
from app.catalog import public as catalog
from app.clients import public as clients
from app.core.config import get_settings
from app.core.timeutils import local_day_span, zone
from app.practitioners import public as practitioners

SHOWN = [s.value for s in BookingStatus if s is not BookingStatus.cancelled]


async def calendar(
    session: AsyncSession, *, date_from: date, days: int, practitioner_ids: list[UUID] | None
) -> list[CalendarEntry]:
    tz = zone()
    start = local_day_span(date_from, tz)[0]
    end = local_day_span(date_from + timedelta(days=days - 1), tz)[1]
    entries: list[CalendarEntry] = []
    bookings = (
        await session.scalars(repository.bookings_query(start=start, end=end, statuses=SHOWN))
    ).all()
    items = await repository.items_of(session, [b.id for b in bookings])
    names = await catalog.service_names(session, {i.service_id for v in items.values() for i in v})
    for booking in bookings:
        for item in items[booking.id]:
            if practitioner_ids is not None and item.practitioner_id not in practitioner_ids:
                continue
            entries.append(
                CalendarEntry(
                    kind="booking",
                    id=item.id,
                    practitioner_id=item.practitioner_id,
                    start=item.start_at,
                    end=item.end_at,
                    title=names.get(item.service_id, ""),
                    booking_id=booking.id,
                    status=BookingStatus(booking.status),
                    client_id=booking.client_id,
                )
            )
    for block in await availability.blocks_between(session, start, end, practitioner_ids):
        entries.append(
            CalendarEntry(
                kind="block",
                id=block.id,
                practitioner_id=block.practitioner_id,
                start=block.start_at,
                end=block.end_at,
                title=block.reason or "Bloqué",
            )
        )
    schedules = await practitioners.load_schedules(
        session, window=(start, end), practitioner_ids=practitioner_ids
    )
    for schedule in schedules:
        for a, b in schedule.absences:
            entries.append(
                CalendarEntry(
                    kind="absence",
                    id=schedule.id,
                    practitioner_id=schedule.id,
                    start=a,
                    end=b,
                    title="Absence",
                )
            )
    entries.sort(key=lambda e: (e.start, str(e.practitioner_id)))
    return entries


def _ics_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


async def ical_feed(session: AsyncSession, practitioner_id: UUID, *, now: datetime) -> str:
    """Her bookings from 30 days ago to 90 days ahead, as an iCalendar (RFC 5545) document.
    Only first names appear: the feed lives on a phone."""
    start, end = now - timedelta(days=30), now + timedelta(days=90)
    bookings = (
        await session.scalars(
            repository.bookings_query(
                start=start, end=end, statuses=SHOWN, practitioner_id=practitioner_id
            )
        )
    ).all()
    items = await repository.items_of(session, [b.id for b in bookings])
    names = await catalog.service_names(session, {i.service_id for v in items.values() for i in v})
    salon = get_settings().salon
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{_ics_text(salon.name)}//Agenda//FR",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ics_text(salon.name)}",
    ]
    people = await clients.get_clients(session, {b.client_id for b in bookings})
    for booking in bookings:
        client = people[booking.client_id]
        for item in items[booking.id]:
            if item.practitioner_id != practitioner_id:
                continue
            lines += [
                "BEGIN:VEVENT",
                f"UID:{item.id}@salon",
                f"DTSTAMP:{_ics_time(now)}",
                f"DTSTART:{_ics_time(item.start_at)}",
                f"DTEND:{_ics_time(item.end_at)}",
                f"SUMMARY:{_ics_text(names.get(item.service_id, ''))} - "
                f"{_ics_text(client.first_name)}",
                f"STATUS:{'TENTATIVE' if booking.status == 'pending_payment' else 'CONFIRMED'}",
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
