"""E-mail through Resend's official SDK. The message's idempotency key goes as Resend's
`Idempotency-Key`, so a worker that died mid-send, retried, cannot send twice."""

from __future__ import annotations

import asyncio
from typing import Any

import requests
import resend

from app.core.config import ResendSettings
from app.integrations.messaging import DeliveryError, Email, Sent


class ResendClient:
    def __init__(self, settings: ResendSettings) -> None:
        if settings.api_key is None:
            raise RuntimeError("RESEND_API_KEY is required here")
        self._key = settings.api_key.get_secret_value()
        self._base = settings.api_base.rstrip("/")
        self._sender = settings.sender

    async def send(self, email: Email, *, key: str, resumed: bool) -> Sent:
        params: dict[str, Any] = {
            "from": self._sender,
            "to": [email.to],
            "subject": email.subject,
            "text": email.text,
            "html": email.html,
            "tags": [{"name": "template", "value": email.template}],
        }
        if email.attachments:
            params["attachments"] = email.attachments
        if email.headers:
            params["headers"] = email.headers
        answer = await asyncio.to_thread(self._post, params, key)
        return Sent("resend", str(answer["id"]))

    def _post(self, params: dict[str, Any], key: str) -> Any:
        # The SDK is configured module-wide; set it on every call (one worker thread each).
        resend.api_key, resend.api_url = self._key, self._base
        try:
            return resend.Emails.send(params, {"idempotency_key": key})  # type: ignore[arg-type]
        except resend.exceptions.ResendError as exc:
            status = int(getattr(exc, "code", 0) or 0)
            permanent = 400 <= status < 500 and status not in {408, 409, 429}
            raise DeliveryError(f"Resend {status}: {exc}", permanent=permanent) from exc
        except requests.RequestException as exc:
            raise DeliveryError(f"Resend did not answer: {exc}") from exc
