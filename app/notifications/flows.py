"""Notifications use cases that reach into other domains (clients, bookings) through their
public modules: a one-off message from the desk, a client's channel choices, unsubscribing."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.public import Principal
from app.clients import public as clients
from app.core.clock import utcnow
from app.core.errors import NotFound
from app.notifications import repository
from app.notifications.errors import NoAddress
from app.notifications.handlers import booking_context
from app.notifications.models import Channel, ChannelPreference, Kind, Message
from app.notifications.schemas import PreferencesIO, SendIn
from app.notifications.service import client_recipient, queue, unsubscribe_target
from app.notifications.templates import TEMPLATES


async def send_one_off(session: AsyncSession, order: SendIn, *, sent_by_user_id: UUID) -> Message:
    """Write a one-off SMS or e-mail to a client. Her choices still apply: the message may be
    `suppressed` with the reason; `NoAddress` when she has none for the channel."""
    recipient = await client_recipient(session, order.client_id)
    context: dict[str, Any] = {"subject": order.subject or "", "text": (order.text or "").strip()}
    if order.booking_id and order.template != "custom":
        context |= (await booking_context(session, order.booking_id))[1]
    template_kind = TEMPLATES[order.template].kind
    kind = Kind.marketing if order.marketing or template_kind is Kind.marketing else Kind.service
    message = await queue(
        session,
        template=order.template,
        channel=order.channel,
        recipient=recipient,
        context=context,
        booking_id=order.booking_id,
        kind=kind,
        sent_by_user_id=sent_by_user_id,
    )
    if message is None:
        raise NoAddress(f"This client has no {order.channel.value} address.")
    return message


async def preferences(session: AsyncSession, client_id: UUID) -> PreferencesIO:
    """Where the client receives service messages (both channels until she chooses)."""
    await clients.get_client(session, client_id)
    row = await repository.channel_preference(session, client_id)
    return PreferencesIO() if row is None else PreferencesIO(sms=row.sms, email=row.email)


async def set_preferences(
    session: AsyncSession, client_id: UUID, choice: PreferencesIO
) -> PreferencesIO:
    await clients.get_client(session, client_id)
    row = await repository.channel_preference(session, client_id, lock=True)
    if row is None:
        row = ChannelPreference(client_id=client_id, updated_at=utcnow())
        session.add(row)
    row.sms, row.email, row.updated_at = choice.sms, choice.email, utcnow()
    return choice


async def _own(session: AsyncSession, principal: Principal) -> UUID:
    own = await clients.client_for_user(session, principal.user_id)
    if own is None:
        raise NotFound("No client record is linked to this account.")
    return own.id


async def my_preferences(session: AsyncSession, principal: Principal) -> PreferencesIO:
    """The signed-in client's own choices."""
    return await preferences(session, await _own(session, principal))


async def set_my_preferences(
    session: AsyncSession, principal: Principal, choice: PreferencesIO
) -> PreferencesIO:
    return await set_preferences(session, await _own(session, principal), choice)


async def unsubscribe(session: AsyncSession, token: str) -> None:
    """Withdraw the marketing consent of the link's channel, in the client's consent ledger
    (nothing when already withdrawn)."""
    client_id, channel = unsubscribe_target(token)
    consent = "email_marketing" if channel is Channel.email else "sms_marketing"
    if (await clients.current_consents(session, client_id)).get(consent, False):
        await clients.withdraw_consent(session, client_id, consent, source="link")
