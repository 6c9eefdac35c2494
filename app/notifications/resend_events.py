"""Resend's delivery events, applied to our messages. Each event is stored once by its Svix
id; its signature is checked before (`app.integrations.resend_email.webhooks.verify`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.db import json_safe
from app.core.errors import ValidationFailed, WebhookNotConfigured
from app.core.ids import new_id
from app.integrations.resend_email import webhooks as resend_webhooks
from app.notifications import repository
from app.notifications.models import MessageStatus

logger = logging.getLogger(__name__)


_STATUS = {
    "email.delivered": MessageStatus.delivered,
    "email.bounced": MessageStatus.bounced,
    "email.complained": MessageStatus.complained,
    "email.failed": MessageStatus.failed,
    "email.suppressed": MessageStatus.suppressed,
}


def _is_hard_bounce(data: dict[str, Any]) -> bool:
    """Bounce shapes vary: read them tolerantly. Only a permanent bounce blocks the address."""
    bounce = data.get("bounce") or {}
    kind = str(bounce.get("type") or bounce.get("bounceType") or data.get("type") or "")
    return kind.lower() in {"permanent", "hard", "hardbounce", "hard_bounce", ""}


async def receive(session: AsyncSession, *, headers: Mapping[str, str], body: bytes) -> str:
    """Verify a webhook call with `RESEND_WEBHOOK_SECRET`, then apply its event."""
    secret = get_settings().resend.webhook_secret
    if secret is None:
        raise WebhookNotConfigured("RESEND_WEBHOOK_SECRET is not set.")
    lowered = {k.lower(): v for k, v in headers.items()}
    resend_webhooks.verify(secret.get_secret_value(), headers=lowered, body=body)
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ValidationFailed("The body is not JSON.") from exc
    if not isinstance(data, dict):
        raise ValidationFailed("The body is not a JSON object.")
    return await apply(session, event_id=lowered["svix-id"], body=data)


async def apply(session: AsyncSession, *, event_id: str, body: dict[str, Any]) -> str:
    """Record the event once and move its message; returns what happened."""
    kind = str(body.get("type", ""))
    data = body.get("data") or {}
    email_id = data.get("email_id")
    message = None
    if email_id:
        message = await repository.message_by_provider_id(session, "resend", str(email_id))
    inserted = await repository.insert_event(
        session,
        {
            "id": new_id(),
            "provider": "resend",
            "event_id": event_id[:200],
            "event_type": kind[:60],
            "message_id": message.id if message else None,
            "payload": json_safe(body),
            "received_at": utcnow(),
        },
    )
    if inserted is None:
        return "duplicate"
    if message is None:
        logger.warning("Resend event for an unknown message", extra={"event_id": event_id})
        return "unmatched"
    status = _STATUS.get(kind)
    if status is None:
        return "ignored"
    now = utcnow()
    if status is MessageStatus.delivered:
        await repository.mark_delivered(session, message.id, at=now)
        return "applied"
    message.status, message.status_reason = status, kind
    if status is MessageStatus.complained or (
        status is MessageStatus.bounced and _is_hard_bounce(data)
    ):
        await repository.suppress_email(
            session, message.recipient, reason=status.value, message_id=message.id
        )
    return "applied"
