"""What each event of the other domains makes the client receive. Every handler runs in the
outbox job's transaction and writes its messages there, with a dedupe key per cause, so a
retried job never writes a message twice."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.public import TOPIC_EMAIL_VERIFICATION, TOPIC_PASSWORD_RESET
from app.availability import public as availability
from app.bookings import public as bookings
from app.catalog import public as catalog
from app.core import outbox
from app.core.clock import utcnow
from app.core.config import get_settings
from app.notifications.models import Channel
from app.notifications.service import Recipient, queue, queue_for_client
from app.notifications.templates import (
    euros,
    french_date,
    french_time,
    relative_day,
    salon_context,
    short_date,
)


def manage_url(token: str) -> str:
    return f"{salon_context()['public_url']}/rendez-vous/{token}"


async def booking_context(
    session: AsyncSession, booking_id: UUID
) -> tuple[bookings.BookingBrief, dict[str, Any]]:
    brief = await bookings.booking_brief(session, booking_id)
    booking = {
        "when": french_date(brief.start_at),
        "when_short": short_date(brief.start_at),
        "when_relative": relative_day(brief.start_at, utcnow()),
        "time": french_time(brief.start_at),
        "services": ", ".join(brief.services),
        "practitioners": ", ".join(brief.practitioners),
        "at_home": brief.location == "home",
        "home_address": brief.home_address,
        "total": euros(brief.total_cents),
        "deposit": euros(brief.deposit_cents),
        "balance": euros(brief.total_cents - brief.deposit_cents),
        "manage_url": manage_url(brief.manage_token),
    }
    rules = await availability.booking_rules(session)
    return brief, {"booking": booking, "notice_hours": rules.cancellation_notice_hours}


@outbox.handles(bookings.TOPIC_CONFIRMED)
async def on_confirmed(session: AsyncSession, payload: dict[str, Any]) -> None:
    brief, context = await booking_context(session, UUID(payload["booking_id"]))
    template = "deposit_received" if payload.get("deposit_paid") else "booking_confirmed"
    await queue_for_client(
        session,
        template=template,
        client_id=brief.client_id,
        context=context,
        booking_id=brief.id,
        dedupe_prefix=f"confirmed:{brief.id}",
    )


@outbox.handles(bookings.TOPIC_RESCHEDULED)
async def on_rescheduled(session: AsyncSession, payload: dict[str, Any]) -> None:
    brief, context = await booking_context(session, UUID(payload["booking_id"]))
    old = datetime.fromisoformat(str(payload["old_start"]))
    await queue_for_client(
        session,
        template="booking_moved",
        client_id=brief.client_id,
        context=context | {"old_when": french_date(old)},
        booking_id=brief.id,
        dedupe_prefix=f"moved:{brief.id}:{int(brief.start_at.timestamp())}:{int(old.timestamp())}",
    )


@outbox.handles(bookings.TOPIC_CANCELLED)
async def on_cancelled(session: AsyncSession, payload: dict[str, Any]) -> None:
    if payload.get("previous_status") == "pending_payment":
        return  # an unpaid hold: the client was never told it was booked
    brief, context = await booking_context(session, UUID(payload["booking_id"]))
    kept = bool(payload.get("by_client") and payload.get("late") and brief.deposit_cents)
    await queue_for_client(
        session,
        template="booking_cancelled",
        client_id=brief.client_id,
        context=context
        | {"deposit_kept": kept, "deposit_refunded": bool(brief.deposit_cents) and not kept},
        booking_id=brief.id,
        dedupe_prefix=f"cancelled:{brief.id}",
    )


@outbox.handles(bookings.TOPIC_WAITLIST_OFFERED)
async def on_waitlist_offer(session: AsyncSession, payload: dict[str, Any]) -> None:
    start = datetime.fromisoformat(str(payload["start"]))
    names = await catalog.service_names(session, {UUID(s) for s in payload["service_ids"]})
    services = ",".join(str(s) for s in payload["service_ids"])
    site = salon_context()["public_url"]
    offer = {
        "when": french_date(start),
        "when_short": short_date(start),
        "services": ", ".join(names.values()),
        "book_url": f"{site}/reserver?services={services}&debut={start.isoformat()}",
    }
    await queue_for_client(
        session,
        template="waitlist_offer",
        client_id=UUID(payload["client_id"]),
        context={"offer": offer},
        dedupe_prefix=f"waitlist:{payload['entry_id']}:{int(start.timestamp())}",
    )


async def _account_email(
    session: AsyncSession, template: str, payload: dict[str, Any], link: str
) -> None:
    recipient = Recipient(None, payload["first_name"], payload["email"], None)
    await queue(
        session,
        template=template,
        channel=Channel.email,
        recipient=recipient,
        context={
            "first_name": payload["first_name"],
            "link": link,
            "minutes": get_settings().security.password_reset_minutes,
        },
    )


@outbox.handles(TOPIC_PASSWORD_RESET)
async def on_password_reset(session: AsyncSession, payload: dict[str, Any]) -> None:
    link = f"{salon_context()['public_url']}/mot-de-passe/nouveau?token={payload['token']}"
    await _account_email(session, "password_reset", payload, link)


@outbox.handles(TOPIC_EMAIL_VERIFICATION)
async def on_email_verification(session: AsyncSession, payload: dict[str, Any]) -> None:
    link = f"{salon_context()['public_url']}/compte/verifier?token={payload['token']}"
    await _account_email(session, "welcome", payload, link)
