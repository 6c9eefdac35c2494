"""The notifications API's requests and answers."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.timeutils import SalonDateTime
from app.notifications.models import Channel
from app.notifications.templates import TEMPLATES


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    channel: str
    kind: str
    template: str
    recipient: str
    subject: str | None = Field(description="The subject, links and secret-looking values masked")
    body_text: str = Field(
        description="A preview of the text: links keep their site but lose their path and "
        "query (`[lien masqué]`), tokens and gift card codes are masked (`[masqué]`). The "
        "words the client received are sealed and only the delivery worker opens them."
    )
    status: str
    status_reason: str | None
    attempts: int
    next_attempt_at: SalonDateTime
    provider: str | None
    provider_id: str | None
    last_error: str | None
    client_id: UUID | None
    booking_id: UUID | None
    sent_by_user_id: UUID | None
    created_at: SalonDateTime
    sent_at: SalonDateTime | None
    delivered_at: SalonDateTime | None


class SendIn(BaseModel):
    """A one-off message to a client: a template, or free text (`custom`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "client_id": "0193a3c4-1111-7000-8000-000000000001",
                "channel": "sms",
                "text": "Bonjour, votre commande de crème est arrivée au salon.",
            }
        }
    )

    client_id: UUID
    channel: Channel
    template: str = Field(default="custom", max_length=50)
    subject: str | None = Field(default=None, max_length=200)
    text: str | None = Field(default=None, max_length=5000)
    booking_id: UUID | None = None
    marketing: bool = Field(
        default=False, description="Free text that promotes: needs consent, and SMS wait for day"
    )

    @model_validator(mode="after")
    def _content(self) -> SendIn:
        if self.template not in TEMPLATES:
            raise ValueError(f"unknown template; one of {sorted(TEMPLATES)}")
        if self.template == "custom" and not (self.text or "").strip():
            raise ValueError("free text needs `text`")
        if self.template == "custom" and self.channel is Channel.email and not self.subject:
            raise ValueError("an e-mail needs a `subject`")
        return self


class TemplateOut(BaseModel):
    name: str
    kind: str
    channels: list[str]
    description: str


class PreferencesIO(BaseModel):
    """Where the client receives service messages (confirmations, reminders)."""

    sms: bool = True
    email: bool = True


class ResendAck(BaseModel):
    received: bool = True
    outcome: Literal["applied", "ignored", "unmatched", "duplicate"]
