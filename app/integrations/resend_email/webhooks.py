"""Resend's delivery webhooks, signed the Svix way: `svix-id`, `svix-timestamp` and
`svix-signature: v1,<base64>` (several, space-separated, on secret rotation); the signature is
HMAC-SHA256 of "{id}.{timestamp}.{body}" keyed with the base64 bytes after `whsec_`; five
minutes of tolerance, checked against our clock."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from app.core.clock import utcnow
from app.core.errors import InvalidWebhookSignature

TOLERANCE_SECONDS = 300


def svix_signature(secret: str, *, msg_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def verify(secret: str, *, headers: dict[str, str], body: bytes) -> None:
    msg_id = headers.get("svix-id")
    timestamp = headers.get("svix-timestamp", "")
    signatures = headers.get("svix-signature", "").split()
    if not msg_id or not timestamp.isdigit() or not signatures:
        raise InvalidWebhookSignature(
            "The svix-id, svix-timestamp and svix-signature headers are needed."
        )
    if abs(utcnow().timestamp() - int(timestamp)) > TOLERANCE_SECONDS:
        raise InvalidWebhookSignature("This event is too old or from the future.")
    try:
        expected = svix_signature(secret, msg_id=msg_id, timestamp=int(timestamp), body=body)
    except (binascii.Error, ValueError) as exc:
        raise InvalidWebhookSignature("RESEND_WEBHOOK_SECRET is not a whsec_ secret.") from exc
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise InvalidWebhookSignature("No signature matches this body.")
