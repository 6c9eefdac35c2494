"""Reminders before a visit. Every minute a scan finds the confirmed bookings starting within
`NOTIFICATIONS_REMINDER_HOURS` that have no reminder for their current time. The bookings are
locked with SKIP LOCKED and each reminder has a dedupe key (booking, channel, start), so two
scans at once, or a restart mid-scan, never double or miss one. Moving a booking changes the
key: the new time gets its own reminder, and the old one, if still queued, is cancelled when a
worker finds it no longer true; so is the reminder of a cancelled booking."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import public as bookings
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.db import unit_of_work
from app.notifications.handlers import booking_context
from app.notifications.models import Message
from app.notifications.service import queue_for_client

REMINDER = "booking_reminder"


def dedupe_prefix(booking_id: object, start_epoch: int) -> str:
    return f"reminder:{booking_id}:{start_epoch}"


async def scan(batch_size: int = 100) -> int:
    """Write the reminders that are due; returns how many were written."""
    now = utcnow()
    until = now + timedelta(hours=get_settings().notifications.reminder_hours)
    written = 0
    async with unit_of_work() as session:
        for due in await bookings.lock_reminders_due(
            session, now=now, until=until, limit=batch_size
        ):
            start = int(due.start_at.timestamp())
            brief, context = await booking_context(session, due.booking_id)
            messages = await queue_for_client(
                session,
                template=REMINDER,
                client_id=brief.client_id,
                context=context,
                booking_id=brief.id,
                dedupe_prefix=dedupe_prefix(brief.id, start),
                meta={"booking_start": start},
            )
            written += len(messages)
    return written


async def still_true(session: AsyncSession, message: Message) -> bool:
    """A reminder goes only if its booking is still confirmed at the same time."""
    if message.template != REMINDER or message.booking_id is None:
        return True
    try:
        brief = await bookings.booking_brief(session, message.booking_id)
    except bookings.BookingNotFound:
        return False
    start = (message.meta or {}).get("booking_start")
    return brief.status == "confirmed" and int(brief.start_at.timestamp()) == start
