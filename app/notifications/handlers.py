"""What each event of the other domains makes the client receive. Every handler runs in the
outbox job's transaction and writes its messages there, with a dedupe key per cause, so a
retried job never writes a message twice."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.public import (
    TOPIC_EMAIL_VERIFICATION,
    TOPIC_PASSWORD_RESET,
    AccountEmailRequested,
)
from app.availability import public as availability
from app.bookings import public as bookings
from app.catalog import public as catalog
from app.core import outbox
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.money import euros
from app.core.urls import site_url
from app.notifications.models import Channel
from app.notifications.service import Recipient, queue, queue_for_client
from app.notifications.templates import (
    deposit_words,
    french_date,
    french_time,
    relative_day,
    short_date,
)
from app.payments import public as payments


def manage_url(token: str) -> str:
    return site_url("rendez-vous", token)


async def booking_context(
    session: AsyncSession, booking_id: UUID
) -> tuple[bookings.BookingBrief, dict[str, Any]]:
    """What every booking message may say. Amounts come from the payments really taken,
    never from what the services ask."""
    brief = await bookings.booking_brief(session, booking_id)
    paid = await payments.paid_so_far(session, brief.id)
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
        "paid_cents": paid.paid_cents,
        "paid": euros(paid.paid_cents),
        "due_cents": paid.due_cents,
        "due": euros(paid.due_cents),
        "manage_url": manage_url(brief.manage_token),
    }
    rules = await availability.booking_rules(session)
    return brief, {
        "booking": booking,
        "deposit": deposit_words(brief.deposit_policy),
        "notice_hours": rules.cancellation_notice_hours,
    }


def cancellation_words(money: payments.CancellationMoney) -> dict[str, Any]:
    """What the cancellation message says about money: refunded to her means of payment,
    put back on her gift card, kept by the salon; each amount only when there is one."""
    back = money.refunded_cents - money.to_gift_card_cents
    return {
        "refunded_cents": back,
        "refunded": euros(back),
        "to_gift_card_cents": money.to_gift_card_cents,
        "to_gift_card": euros(money.to_gift_card_cents),
        "kept_cents": money.kept_cents,
        "kept": euros(money.kept_cents),
    }


@outbox.handles(bookings.TOPIC_CONFIRMED, name="notifications.booking_confirmed")
async def on_confirmed(session: AsyncSession, payload: bookings.BookingConfirmed) -> None:
    brief, context = await booking_context(session, payload.booking_id)
    paid = payload.deposit_paid and context["booking"]["paid_cents"] > 0
    template = "deposit_received" if paid else "booking_confirmed"
    await queue_for_client(
        session,
        template=template,
        client_id=brief.client_id,
        context=context,
        booking_id=brief.id,
        dedupe_prefix=f"confirmed:{brief.id}",
    )


@outbox.handles(bookings.TOPIC_RESCHEDULED, name="notifications.booking_rescheduled")
async def on_rescheduled(session: AsyncSession, payload: bookings.BookingRescheduled) -> None:
    brief, context = await booking_context(session, payload.booking_id)
    old = payload.old_start
    await queue_for_client(
        session,
        template="booking_moved",
        client_id=brief.client_id,
        context=context | {"old_when": french_date(old)},
        booking_id=brief.id,
        dedupe_prefix=f"moved:{brief.id}:{int(brief.start_at.timestamp())}:{int(old.timestamp())}",
    )


@outbox.handles(bookings.TOPIC_CANCELLED, name="notifications.booking_cancelled")
async def on_cancelled(session: AsyncSession, payload: bookings.BookingCancelled) -> None:
    if payload.previous_status == "pending_payment":
        return  # an unpaid hold: the client was never told it was booked
    brief, context = await booking_context(session, payload.booking_id)
    money = await payments.cancellation_money(
        session, brief.id, by_client=payload.by_client, late=payload.late
    )
    await queue_for_client(
        session,
        template="booking_cancelled",
        client_id=brief.client_id,
        context=context | {"money": cancellation_words(money)},
        booking_id=brief.id,
        dedupe_prefix=f"cancelled:{brief.id}",
    )


@outbox.handles(bookings.TOPIC_WAITLIST_OFFERED, name="notifications.waitlist_offer")
async def on_waitlist_offer(session: AsyncSession, payload: bookings.WaitlistOffered) -> None:
    start = payload.start
    names = await catalog.service_names(session, set(payload.service_ids))
    services = ",".join(str(s) for s in payload.service_ids)
    offer = {
        "when": french_date(start),
        "when_short": short_date(start),
        "services": ", ".join(names.values()),
        "book_url": site_url("reserver", query={"services": services, "debut": start.isoformat()}),
    }
    await queue_for_client(
        session,
        template="waitlist_offer",
        client_id=payload.client_id,
        context={"offer": offer},
        dedupe_prefix=f"waitlist:{payload.entry_id}:{int(start.timestamp())}",
    )


async def _account_email(
    session: AsyncSession, template: str, payload: AccountEmailRequested, link: str
) -> None:
    recipient = Recipient(None, payload.first_name, payload.email, None)
    await queue(
        session,
        template=template,
        channel=Channel.email,
        recipient=recipient,
        context={
            "first_name": payload.first_name,
            "link": link,
            "minutes": get_settings().security.password_reset_minutes,
        },
    )


@outbox.handles(TOPIC_PASSWORD_RESET, name="notifications.password_reset")
async def on_password_reset(session: AsyncSession, payload: AccountEmailRequested) -> None:
    link = site_url("mot-de-passe", "nouveau", query={"token": payload.token})
    await _account_email(session, "password_reset", payload, link)


@outbox.handles(TOPIC_EMAIL_VERIFICATION, name="notifications.email_verification")
async def on_email_verification(session: AsyncSession, payload: AccountEmailRequested) -> None:
    link = site_url("compte", "verifier", query={"token": payload.token})
    await _account_email(session, "welcome", payload, link)
