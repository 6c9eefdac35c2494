"""Sending one message through a provider: Resend for e-mail, OVH for SMS, the console when
their keys are unset. Each adapter takes the message's idempotency key so that a worker that
died mid-send, retried, cannot send twice: Resend honours `Idempotency-Key`; OVH has none, so
the SMS carries the key as its `tag` and a resumed send first asks OVH for that tag."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass
from typing import Any, Protocol

import ovh
import requests
import resend

from app.core.config import OvhSettings, ResendSettings, get_settings
from app.core.storage import get_storage
from app.integrations.console import console
from app.notifications.content import Outgoing
from app.notifications.models import Kind

_OVH_FAKE_ENDPOINT = "salon-configured"


class DeliveryError(Exception):
    """A failed send; `permanent` ones are not retried (an invalid address)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class Sent:
    provider: str
    provider_id: str


class Sender(Protocol):
    async def send(self, message: Outgoing, *, key: str, resumed: bool) -> Sent: ...


class ConsoleSender:
    """Logs and keeps the message in memory (`app.integrations.console`)."""

    async def send(self, message: Outgoing, *, key: str, resumed: bool) -> Sent:
        if message.channel == "email":
            console.send_email(to=message.recipient, subject=message.subject, text=message.text)
        else:
            console.send_sms(to=message.recipient, text=message.text)
        return Sent("console", f"console-{key}")


class ResendSender:
    def __init__(self, settings: ResendSettings) -> None:
        if settings.api_key is None:
            raise RuntimeError("RESEND_API_KEY is required here")
        self._key = settings.api_key.get_secret_value()
        self._base = settings.api_base.rstrip("/")
        self._sender = settings.sender

    async def send(self, message: Outgoing, *, key: str, resumed: bool) -> Sent:
        params: dict[str, Any] = {
            "from": self._sender,
            "to": [message.recipient],
            "subject": message.subject,
            "text": message.text,
            "html": message.html,
            "tags": [{"name": "template", "value": message.template}],
        }
        if message.attachments:
            params["attachments"] = [
                {"filename": a["filename"], "content": await attachment_base64(a)}
                for a in message.attachments
            ]
        if message.kind == Kind.marketing and message.unsubscribe_url:
            params["headers"] = {
                "List-Unsubscribe": f"<{message.unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            }
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


class OvhSmsSender:
    def __init__(self, settings: OvhSettings) -> None:
        if not (
            settings.application_key
            and settings.application_secret
            and settings.consumer_key
            and settings.sms_service_name
        ):
            raise RuntimeError("the OVH keys and OVH_SMS_SERVICE_NAME are required here")
        endpoint = settings.endpoint
        if endpoint.startswith("http"):
            # The SDK accepts only named endpoints: register the configured URL under a name.
            ovh.client.ENDPOINTS[_OVH_FAKE_ENDPOINT] = endpoint.rstrip("/")
            endpoint = _OVH_FAKE_ENDPOINT
        self._client = ovh.Client(
            endpoint=endpoint,
            application_key=settings.application_key,
            application_secret=settings.application_secret.get_secret_value(),
            consumer_key=settings.consumer_key.get_secret_value(),
            timeout=30,
        )
        self._service = settings.sms_service_name
        self._sender = settings.sms_sender

    async def send(self, message: Outgoing, *, key: str, resumed: bool) -> Sent:
        return await asyncio.to_thread(self._send, message, key, resumed)

    def _send(self, message: Outgoing, key: str, resumed: bool) -> Sent:
        tag = key.replace("-", "")[:32]
        path = f"/sms/{self._service}"
        try:
            if resumed:
                already = self._client.get(f"{path}/outgoing", tag=tag)
                if already:
                    return Sent("ovh", str(already[0]))
            report = self._client.post(
                f"{path}/jobs",
                message=message.text,
                receivers=[message.recipient],
                sender=self._sender,
                senderForResponse=False,
                noStopClause=message.kind == Kind.service,
                priority="high",
                charset="UTF-8",
                tag=tag,
                validityPeriod=2880,
            )
        except ovh.exceptions.APIError as exc:
            permanent = isinstance(exc, ovh.exceptions.BadParametersError)
            raise DeliveryError(f"OVH: {exc}", permanent=permanent) from exc
        except requests.RequestException as exc:
            raise DeliveryError(f"OVH did not answer: {exc}") from exc
        if message.recipient in (report.get("invalidReceivers") or []) or not report.get("ids"):
            raise DeliveryError(f"OVH refused the number {message.recipient}", permanent=True)
        return Sent("ovh", str(report["ids"][0]))

    async def stop_list(self) -> list[str]:
        """Numbers that answered STOP to a marketing SMS (OVH keeps the list)."""

        def fetch() -> list[str]:
            try:
                return [str(n) for n in self._client.get(f"/sms/{self._service}/blacklists")]
            except (ovh.exceptions.APIError, requests.RequestException) as exc:
                raise DeliveryError(f"OVH: {exc}") from exc

        return await asyncio.to_thread(fetch)


_built: dict[tuple[str, int], Any] = {}


def sender_for(channel: str) -> Sender:
    settings = get_settings()
    if channel == "email":
        if settings.resend.api_key is None:
            return ConsoleSender()
        key = ("resend", id(settings.resend))
        if key not in _built:
            _built[key] = ResendSender(settings.resend)
        return _built[key]  # type: ignore[no-any-return]
    ovh_settings = settings.ovh
    if not (ovh_settings.application_key and ovh_settings.sms_service_name):
        return ConsoleSender()
    key = ("ovh", id(ovh_settings))
    if key not in _built:
        _built[key] = OvhSmsSender(ovh_settings)
    return _built[key]  # type: ignore[no-any-return]


def encode_attachment(filename: str, content: bytes) -> dict[str, str]:
    """A small file carried in the message row itself."""
    return {"filename": filename, "content_base64": base64.b64encode(content).decode()}


def stored_attachment(filename: str, storage_key: str) -> dict[str, str]:
    """A file read from storage when the message goes (a gift card PDF: its code is never
    copied into the messages table)."""
    return {"filename": filename, "storage_key": storage_key}


async def attachment_base64(attachment: dict[str, Any]) -> str:
    if "storage_key" in attachment:
        content = await get_storage().get(str(attachment["storage_key"]))
        return base64.b64encode(content).decode()
    return str(attachment["content_base64"])
