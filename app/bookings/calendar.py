"""The staff calendar (bookings, blocks, absences per practitioner) and the iCalendar feed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.availability import public as availability
from app.bookings import repository
from app.bookings.models import BookingStatus
from app.bookings.names import names_for
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
    """Bookings (with service, practitioner and client names), blocks, absences (with their
    reasons) and the salon's closures between the dates."""
    tz = zone()
    date_to = date_from + timedelta(days=days - 1)
    start, end = local_day_span(date_from, tz)[0], local_day_span(date_to, tz)[1]
    entries = await _booking_entries(session, start, end, practitioner_ids)
    blocks = await availability.blocks_between(session, start, end, practitioner_ids)
    absences = await practitioners.absences_with_reasons(session, practitioner_ids, (start, end))
    who = await practitioners.practitioner_names(
        session, {b.practitioner_id for b in blocks} | {a.practitioner_id for a in absences}
    )
    time_off = [("block", "Bloqué", b) for b in blocks] + [
        ("absence", "Absence", a) for a in absences
    ]
    entries += [
        CalendarEntry(
            kind=kind,
            id=row.id,
            practitioner_id=row.practitioner_id,
            practitioner_name=who.get(row.practitioner_id),
            start=row.start_at,
            end=row.end_at,
            title=row.reason or default_title,
            reason=row.reason,
        )
        for kind, default_title, row in time_off
    ]
    entries += [
        CalendarEntry(
            kind="closure",
            id=closure.id,
            practitioner_id=None,
            start=local_day_span(closure.start_date, tz)[0],
            end=local_day_span(closure.end_date, tz)[1],
            title=closure.reason or "Fermeture",
            reason=closure.reason,
        )
        for closure in await availability.closures_between(session, date_from, date_to)
    ]
    entries.sort(key=lambda e: (e.start, str(e.practitioner_id)))
    return entries


async def _booking_entries(
    session: AsyncSession, start: datetime, end: datetime, practitioner_ids: list[UUID] | None
) -> list[CalendarEntry]:
    bookings = (
        await session.scalars(repository.bookings_query(start=start, end=end, statuses=SHOWN))
    ).all()
    items = await repository.items_of(session, [b.id for b in bookings])
    shown = {
        b.id: [
            i
            for i in items[b.id]
            if practitioner_ids is None or i.practitioner_id in practitioner_ids
        ]
        for b in bookings
    }
    names = await names_for(session, bookings, [i for v in shown.values() for i in v])
    return [
        CalendarEntry(
            kind="booking",
            id=item.id,
            practitioner_id=item.practitioner_id,
            practitioner_name=names.practitioners.get(item.practitioner_id),
            start=item.start_at,
            end=item.end_at,
            title=names.services.get(item.service_id, ""),
            booking_id=booking.id,
            status=BookingStatus(booking.status),
            service_id=item.service_id,
            service_name=names.services.get(item.service_id),
            client_id=booking.client_id,
            client_name=names.clients.get(booking.client_id),
        )
        for booking in bookings
        for item in shown[booking.id]
    ]


# RFC 5545 has no "no-show": the visit did not take place, so the event is cancelled.
_ICS_STATUS = {
    BookingStatus.pending_payment: "TENTATIVE",
    BookingStatus.no_show: "CANCELLED",
}


def _event(uid: str, now: datetime, start: datetime, end: datetime, summary: str) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}@salon",
        f"DTSTAMP:{_ics_time(now)}",
        f"DTSTART:{_ics_time(start)}",
        f"DTEND:{_ics_time(end)}",
        f"SUMMARY:{_ics_text(summary)}",
    ]


def _ics_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


async def ical_feed(session: AsyncSession, practitioner_id: UUID, *, now: datetime) -> str:
    """Her bookings, blocks and absences from 30 days ago to 90 days ahead, as an iCalendar
    (RFC 5545) document. Only first names appear: the feed lives on a phone."""
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
        status = _ICS_STATUS.get(BookingStatus(booking.status), "CONFIRMED")
        for item in items[booking.id]:
            if item.practitioner_id != practitioner_id:
                continue
            summary = f"{names.get(item.service_id, '')} - {client.first_name}"
            lines += _event(str(item.id), now, item.start_at, item.end_at, summary)
            lines += [f"STATUS:{status}", "END:VEVENT"]
    for block in await availability.blocks_between(session, start, end, [practitioner_id]):
        summary = f"Bloqué : {block.reason}" if block.reason else "Bloqué"
        lines += _event(str(block.id), now, block.start_at, block.end_at, summary)
        lines += ["STATUS:CONFIRMED", "TRANSP:OPAQUE", "END:VEVENT"]
    for absence in await practitioners.absences_with_reasons(
        session, [practitioner_id], (start, end)
    ):
        summary = f"Absence : {absence.reason}" if absence.reason else "Absence"
        lines += _event(str(absence.id), now, absence.start_at, absence.end_at, summary)
        lines += ["STATUS:CONFIRMED", "TRANSP:OPAQUE", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
