"""A message's words, as the client gets them, sealed in its row.

Every message is rendered once, when it is written; what the client receives (subject, text,
HTML, inline attachments, the unsubscribe link) is sealed with AES-GCM under a key derived
from SECURITY_SECRET_KEY and bound to the message id (`app/core/sealing.py`). The row keeps
for staff only the template, recipient, status and a redacted preview
(`app/notifications/redaction.py`). Only the delivery worker opens the seal, just before
handing the message to the provider; so no reset, verification, manage or unsubscribe link
and no gift card code can be read from the table or from any staff answer, whatever the
template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from app.core import sealing
from app.notifications.models import Message
from app.notifications.redaction import redact
from app.notifications.templates import Rendered

_SEALED_FOR = "message-content"
ERASED = "[effacé]"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message, opened, as it goes to the provider."""

    id: UUID
    channel: str
    kind: str
    template: str
    recipient: str
    subject: str
    text: str
    html: str | None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    unsubscribe_url: str | None = None


def seal(
    message_id: UUID,
    rendered: Rendered,
    *,
    attachments: list[dict[str, Any]],
    unsubscribe_url: str | None,
) -> dict[str, Any]:
    """The columns a new message row gets: the sealed content and what staff may read."""
    content = {
        "subject": rendered.subject,
        "text": rendered.text,
        "html": rendered.html,
        "attachments": attachments,
        "unsubscribe_url": unsubscribe_url,
    }
    return {
        "sealed_content": sealing.seal_json(_SEALED_FOR, content, bound_to=message_id.bytes),
        "subject": redact(rendered.subject),
        "body_text": redact(rendered.text),
        "attachments": [{"filename": a["filename"]} for a in attachments],
    }


class ContentErased(Exception):
    """The client's data was erased, or the message was written before sealing existed."""


def open_message(message: Message) -> Outgoing:
    """What the provider receives. Only delivery calls this."""
    if message.sealed_content is None:
        raise ContentErased(str(message.id))
    content = sealing.unseal_json(_SEALED_FOR, message.sealed_content, bound_to=message.id.bytes)
    return Outgoing(
        id=message.id,
        channel=message.channel,
        kind=message.kind,
        template=message.template,
        recipient=message.recipient,
        subject=content["subject"] or "",
        text=content["text"],
        html=content["html"],
        attachments=list(content["attachments"]),
        unsubscribe_url=content["unsubscribe_url"],
    )
