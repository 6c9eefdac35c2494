"""Writing messages: in the caller's transaction, rendered at once, with the client's choices
applied. A message that must not go is still written, as `suppressed` with the reason, so
staff see why nothing was sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.core.clock import utcnow
from app.core.errors import ValidationFailed
from app.core.ids import new_id
from app.core.pagination import Page, PageParams, paginate
from app.core.security import InvalidToken, sign_payload, verify_payload
from app.core.urls import api_url
from app.notifications import content, repository
from app.notifications.errors import InvalidUnsubscribeLink, SmsTooLongError
from app.notifications.models import Channel, Kind, Message, MessageStatus
from app.notifications.quiet_hours import next_marketing_sms_time
from app.notifications.schemas import MessageOut, TemplateOut
from app.notifications.templates import TEMPLATES, Rendered, SmsTooLong, render

UNSUBSCRIBE = "unsubscribe"
MARKETING_CONSENT = {Channel.email: "email_marketing", Channel.sms: "sms_marketing"}


@dataclass(frozen=True, slots=True)
class Recipient:
    client_id: UUID | None
    first_name: str
    email: str | None
    phone: str | None

    def address(self, channel: Channel) -> str | None:
        return self.email if channel is Channel.email else self.phone


async def client_recipient(session: AsyncSession, client_id: UUID) -> Recipient:
    client = await clients.get_client(session, client_id)
    return Recipient(client.id, client.first_name, client.email, client.phone)


def unsubscribe_token(client_id: UUID, channel: Channel) -> str:
    # Long-lived on purpose: an old newsletter's link must still work.
    return sign_payload(
        UNSUBSCRIBE,
        {"c": str(client_id), "ch": channel.value},
        expires_at=utcnow() + timedelta(days=3650),
    )


def unsubscribe_url(client_id: UUID, channel: Channel) -> str:
    token = unsubscribe_token(client_id, channel)
    return api_url("api", "v1", "notifications", "unsubscribe", query={"token": token})


def unsubscribe_target(token: str) -> tuple[UUID, Channel]:
    """The client and channel of an unsubscribe link; `InvalidUnsubscribeLink` otherwise."""
    try:
        payload = verify_payload(UNSUBSCRIBE, token)
        return UUID(payload["c"]), Channel(payload["ch"])
    except (InvalidToken, KeyError, ValueError) as exc:
        raise InvalidUnsubscribeLink() from exc


async def _why_not(
    session: AsyncSession, recipient: Recipient, channel: Channel, kind: Kind, address: str
) -> str | None:
    """Why this message must not go, or None."""
    if channel is Channel.email:
        blocked = await repository.email_suppression(session, address)
        if blocked is not None:
            return f"address blocked ({blocked.reason})"
    if recipient.client_id is None:
        return None
    if kind is Kind.marketing:
        consents = await clients.current_consents(session, recipient.client_id)
        if not consents.get(MARKETING_CONSENT[channel], False):
            return f"no {MARKETING_CONSENT[channel]} consent"
        return None
    preference = await repository.channel_preference(session, recipient.client_id)
    if preference is not None and not getattr(preference, channel.value):
        return f"the client turned off {channel.value} messages"
    return None


async def queue(
    session: AsyncSession,
    *,
    template: str,
    channel: Channel,
    recipient: Recipient,
    context: dict[str, Any],
    booking_id: UUID | None = None,
    dedupe_key: str | None = None,
    meta: dict[str, Any] | None = None,
    kind: Kind | None = None,
    sent_by_user_id: UUID | None = None,
    attachments: list[dict[str, Any]] | None = None,
    not_before: datetime | None = None,
) -> Message | None:
    """Write one message in the caller's transaction, its words sealed (`content.py`). None
    when the recipient has no address for the channel, or when a message with this
    `dedupe_key` already exists."""
    spec = TEMPLATES[template]
    kind = kind or spec.kind
    address = recipient.address(channel)
    if address is None or channel not in spec.channels:
        return None
    now = utcnow()
    context = {"client": {"first_name": recipient.first_name}} | context
    unsubscribe = None
    if kind is Kind.marketing and recipient.client_id is not None:
        context["unsubscribe_url"] = unsubscribe = unsubscribe_url(recipient.client_id, channel)
    try:
        rendered: Rendered = render(template, channel, context, kind=kind)
    except SmsTooLong as exc:
        raise SmsTooLongError(str(exc)) from exc
    reason = await _why_not(session, recipient, channel, kind, address)
    due = max(now, not_before) if not_before else now
    if reason is None and kind is Kind.marketing and channel is Channel.sms:
        due = next_marketing_sms_time(due)
    message_id = new_id()
    values = {
        "id": message_id,
        "channel": channel,
        "kind": kind,
        "template": template,
        "recipient": address,
        **content.seal(
            message_id, rendered, attachments=attachments or [], unsubscribe_url=unsubscribe
        ),
        "meta": meta or {},
        "client_id": recipient.client_id,
        "booking_id": booking_id,
        "dedupe_key": dedupe_key,
        "status": MessageStatus.suppressed if reason else MessageStatus.queued,
        "status_reason": reason,
        "attempts": 0,
        "next_attempt_at": due,
        "sent_by_user_id": sent_by_user_id,
        "created_at": now,
    }
    return await repository.insert_message(session, values)


async def queue_for_client(
    session: AsyncSession,
    *,
    template: str,
    client_id: UUID,
    context: dict[str, Any],
    booking_id: UUID | None = None,
    dedupe_prefix: str | None = None,
    meta: dict[str, Any] | None = None,
) -> list[Message]:
    """The same message on every channel the template has (each channel checks its rules)."""
    recipient = await client_recipient(session, client_id)
    written = []
    for channel in sorted(TEMPLATES[template].channels):
        message = await queue(
            session,
            template=template,
            channel=channel,
            recipient=recipient,
            context=context,
            booking_id=booking_id,
            dedupe_key=f"{dedupe_prefix}:{channel}" if dedupe_prefix else None,
            meta=meta,
        )
        if message is not None:
            written.append(message)
    return written


def is_due(message: Message, now: datetime) -> bool:
    return message.status == MessageStatus.queued and message.next_attempt_at <= now


async def list_messages(
    session: AsyncSession,
    *,
    page: PageParams,
    client_id: UUID | None,
    booking_id: UUID | None,
    status: MessageStatus | None,
) -> Page[MessageOut]:
    """Messages, newest first, of a client, a booking, or in one status."""
    return await paginate(
        session,
        repository.messages_query(client_id=client_id, booking_id=booking_id, status=status),
        order_by=(Message.created_at, Message.id),
        params=page,
        descending=True,
        to_item=MessageOut.model_validate,
    )


def staff_templates() -> list[TemplateOut]:
    """The templates staff may send by hand (account e-mails go only by themselves)."""
    return [
        TemplateOut(
            name=name,
            kind=spec.kind,
            channels=sorted(spec.channels),
            description=spec.description,
        )
        for name, spec in TEMPLATES.items()
        if name not in {"password_reset", "welcome"}
    ]


def retry(message: Message) -> Message:
    """Queue a failed message again, its attempts counted afresh."""
    if message.status != MessageStatus.failed:
        raise ValidationFailed("Only a failed message can be retried.")
    message.status, message.status_reason, message.attempts = MessageStatus.queued, None, 0
    message.next_attempt_at = utcnow()
    return message
