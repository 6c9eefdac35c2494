"""Sending one message through a channel: the port notifications needs (`Sender`) and which
adapter serves it, Resend for e-mail and OVH for SMS (`app/integrations/resend_email/`,
`app/integrations/ovh_sms/`), their console stand-ins when their keys are unset. Each send
takes the message's idempotency key so that a worker that died mid-send, retried, cannot send
twice."""

from __future__ import annotations

import base64
from typing import Any, Protocol

from app.core.config import get_settings
from app.integrations.messaging import DeliveryError, Email, Sent, Sms
from app.integrations.ovh_sms.client import OvhSmsClient
from app.integrations.ovh_sms.console import ConsoleSmsClient
from app.integrations.resend_email.client import ResendClient
from app.integrations.resend_email.console import ConsoleEmailClient
from app.integrations.storage import get_storage
from app.notifications.content import Outgoing
from app.notifications.models import Kind

__all__ = [
    "DeliveryError",
    "EmailSender",
    "OvhSmsSender",
    "Sender",
    "Sent",
    "SmsSender",
    "attachment_base64",
    "encode_attachment",
    "sender_for",
    "stored_attachment",
]


class Sender(Protocol):
    async def send(self, message: Outgoing, *, key: str, resumed: bool) -> Sent: ...


class EmailSender:
    """An opened message as an e-mail, through Resend or the console."""

    def __init__(self, client: ResendClient | ConsoleEmailClient) -> None:
        self._client = client

    async def send(self, message: Outgoing, *, key: str, resumed: bool) -> Sent:
        headers: dict[str, str] = {}
        if message.kind == Kind.marketing and message.unsubscribe_url:
            headers = {
                "List-Unsubscribe": f"<{message.unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            }
        # The console shows the text only: it does not read attached files from storage.
        attachments = (
            [
                {"filename": a["filename"], "content": await attachment_base64(a)}
                for a in message.attachments
            ]
            if isinstance(self._client, ResendClient)
            else []
        )
        email = Email(
            to=message.recipient,
            subject=message.subject,
            text=message.text,
            html=message.html,
            template=message.template,
            attachments=attachments,
            headers=headers,
        )
        return await self._client.send(email, key=key, resumed=resumed)


class SmsSender:
    """An opened message as an SMS, through OVH or the console."""

    def __init__(self, client: OvhSmsClient | ConsoleSmsClient) -> None:
        self._client = client

    async def send(self, message: Outgoing, *, key: str, resumed: bool) -> Sent:
        sms = Sms(to=message.recipient, text=message.text, stop_clause=message.kind != Kind.service)
        return await self._client.send(sms, key=key, resumed=resumed)


class OvhSmsSender(SmsSender):
    """An SMS through OVH, which also keeps the list of numbers that answered STOP."""

    def __init__(self, client: OvhSmsClient) -> None:
        super().__init__(client)
        self._ovh = client

    async def stop_list(self) -> list[str]:
        """Numbers that answered STOP to a marketing SMS."""
        return await self._ovh.stop_list()


_built: dict[tuple[str, int], Any] = {}


def sender_for(channel: str) -> Sender:
    settings = get_settings()
    if channel == "email":
        if settings.resend.api_key is None:
            return EmailSender(ConsoleEmailClient())
        key = ("resend", id(settings.resend))
        if key not in _built:
            _built[key] = EmailSender(ResendClient(settings.resend))
        return _built[key]  # type: ignore[no-any-return]
    ovh_settings = settings.ovh
    if not (ovh_settings.application_key and ovh_settings.sms_service_name):
        return SmsSender(ConsoleSmsClient())
    key = ("ovh", id(ovh_settings))
    if key not in _built:
        _built[key] = OvhSmsSender(OvhSmsClient(ovh_settings))
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
