from __future__ import annotations

import json
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select

from app.auth.public import ClientSelf, DbSession, FrontDesk, Principal, Staff
from app.clients import public as clients
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.errors import (
    AppError,
    InvalidWebhookSignature,
    NotFound,
    ValidationFailed,
    WebhookNotConfigured,
    error_responses,
)
from app.core.pagination import Page, Pagination, paginate
from app.core.security import InvalidToken, verify_payload
from app.core.timeutils import SalonDateTime
from app.integrations.resend_email import webhooks as resend_webhooks
from app.notifications import resend_events
from app.notifications.dependencies import MessageForStaff
from app.notifications.models import Channel, ChannelPreference, Kind, Message, MessageStatus
from app.notifications.service import (
    UNSUBSCRIBE,
    NoAddress,
    SmsTooLongError,
    client_recipient,
    queue,
)
from app.notifications.templates import TEMPLATES

router = APIRouter(tags=["notifications"])
webhook_router = APIRouter(tags=["webhooks"])


class InvalidUnsubscribeLink(AppError):
    status, code, title = 400, "invalid_unsubscribe_link", "This unsubscribe link is not valid"


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


# --- staff -------------------------------------------------------------------------------


@router.get("/api/v1/notifications/messages")
async def list_messages(
    _: FrontDesk,
    session: DbSession,
    page: Pagination,
    client_id: UUID | None = None,
    booking_id: UUID | None = None,
    message_status: Annotated[MessageStatus | None, Query(alias="status")] = None,
) -> Page[MessageOut]:
    """Messages, newest first: a client's history, a booking's, or the failed ones
    (`status=failed`) for staff to act on."""
    statement = select(Message)
    if client_id:
        statement = statement.where(Message.client_id == client_id)
    if booking_id:
        statement = statement.where(Message.booking_id == booking_id)
    if message_status:
        statement = statement.where(Message.status == message_status)
    return await paginate(
        session,
        statement,
        order_by=(Message.created_at, Message.id),
        params=page,
        descending=True,
        to_item=MessageOut.model_validate,
    )


@router.get("/api/v1/notifications/messages/{message_id}", responses=error_responses(NotFound))
async def get_message(message: MessageForStaff) -> MessageOut:
    """One message as the front desk may read it (its preview, never its links)."""
    return MessageOut.model_validate(message)


@router.get("/api/v1/notifications/templates")
async def list_templates(_: Staff) -> Page[TemplateOut]:
    """The message templates staff may send (one page)."""
    found = [
        TemplateOut(
            name=name,
            kind=spec.kind,
            channels=sorted(spec.channels),
            description=spec.description,
        )
        for name, spec in TEMPLATES.items()
        if name not in {"password_reset", "welcome"}
    ]
    return Page[TemplateOut](items=found)


@router.post(
    "/api/v1/notifications/messages",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(NoAddress, SmsTooLongError, NotFound),
)
async def send_message(body: SendIn, staff: FrontDesk, session: DbSession) -> MessageOut:
    """Send a client a one-off SMS or e-mail (the CRM's messaging screen). Her choices still
    apply: the answer may be `suppressed` with the reason."""
    recipient = await client_recipient(session, body.client_id)
    context: dict[str, Any] = {"subject": body.subject or "", "text": (body.text or "").strip()}
    if body.booking_id and body.template != "custom":
        from app.notifications.handlers import booking_context

        context |= (await booking_context(session, body.booking_id))[1]
    template_kind = TEMPLATES[body.template].kind
    kind = Kind.marketing if body.marketing or template_kind is Kind.marketing else Kind.service
    message = await queue(
        session,
        template=body.template,
        channel=body.channel,
        recipient=recipient,
        context=context,
        booking_id=body.booking_id,
        kind=kind,
        sent_by_user_id=staff.user_id,
    )
    if message is None:
        raise NoAddress(f"This client has no {body.channel.value} address.")
    return MessageOut.model_validate(message)


@router.post(
    "/api/v1/notifications/messages/{message_id}/retry",
    responses=error_responses(NotFound, ValidationFailed),
)
async def retry_message(message: MessageForStaff) -> MessageOut:
    """Try a failed message again (after fixing the client's number, say)."""
    if message.status != MessageStatus.failed:
        raise ValidationFailed("Only a failed message can be retried.")
    message.status, message.status_reason, message.attempts = MessageStatus.queued, None, 0
    message.next_attempt_at = utcnow()
    return MessageOut.model_validate(message)


async def _preferences(session: DbSession, client_id: UUID) -> PreferencesIO:
    await clients.get_client(session, client_id)
    row = await session.get(ChannelPreference, client_id)
    return PreferencesIO() if row is None else PreferencesIO(sms=row.sms, email=row.email)


async def _set_preferences(
    session: DbSession, client_id: UUID, body: PreferencesIO
) -> PreferencesIO:
    await clients.get_client(session, client_id)
    row = await session.get(ChannelPreference, client_id, with_for_update=True)
    if row is None:
        row = ChannelPreference(client_id=client_id, updated_at=utcnow())
        session.add(row)
    row.sms, row.email, row.updated_at = body.sms, body.email, utcnow()
    return body


@router.get("/api/v1/clients/{client_id}/notification-preferences")
async def client_preferences(client_id: UUID, _: FrontDesk, session: DbSession) -> PreferencesIO:
    return await _preferences(session, client_id)


@router.put("/api/v1/clients/{client_id}/notification-preferences")
async def set_client_preferences(
    client_id: UUID, body: PreferencesIO, _: FrontDesk, session: DbSession
) -> PreferencesIO:
    return await _set_preferences(session, client_id, body)


async def _own(session: DbSession, principal: Principal) -> UUID:
    own = await clients.client_for_user(session, principal.user_id)
    if own is None:
        raise NotFound("No client record is linked to this account.")
    return own.id


@router.get("/api/v1/me/notification-preferences")
async def my_preferences(principal: ClientSelf, session: DbSession) -> PreferencesIO:
    return await _preferences(session, await _own(session, principal))


@router.put("/api/v1/me/notification-preferences")
async def set_my_preferences(
    body: PreferencesIO, principal: ClientSelf, session: DbSession
) -> PreferencesIO:
    return await _set_preferences(session, await _own(session, principal), body)


# --- unsubscribe -------------------------------------------------------------------------


def _unsubscribe_target(token: str) -> tuple[UUID, Channel]:
    try:
        payload = verify_payload(UNSUBSCRIBE, token)
        return UUID(payload["c"]), Channel(payload["ch"])
    except (InvalidToken, KeyError, ValueError) as exc:
        raise InvalidUnsubscribeLink() from exc


_PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width"><title>{title}</title></head>
<body style="font-family:Georgia,serif;max-width:32em;margin:3em auto;color:#3b2f2a">
<h1 style="font-size:1.4em">{title}</h1>{content}</body></html>"""


@router.get(
    "/api/v1/notifications/unsubscribe",
    response_class=HTMLResponse,
    responses=error_responses(InvalidUnsubscribeLink),
)
async def unsubscribe_page(token: str) -> HTMLResponse:
    """The link in a marketing e-mail: a page with one button (a GET changes nothing, so mail
    scanners that open links cannot unsubscribe anyone)."""
    _unsubscribe_target(token)
    name = get_settings().salon.name
    form = (
        '<form method="post"><input type="hidden" name="token" value="{}">'
        '<button type="submit" style="font-size:1em;padding:.6em 1.2em">'
        "Me désinscrire</button></form>"
    ).format(token.replace('"', "&quot;"))
    return HTMLResponse(
        _PAGE.format(title=f"Ne plus recevoir les actualités de {name}", content=form)
    )


@router.post(
    "/api/v1/notifications/unsubscribe",
    response_class=HTMLResponse,
    responses=error_responses(InvalidUnsubscribeLink),
)
async def unsubscribe(
    session: DbSession,
    token: Annotated[str | None, Query()] = None,
    form_token: Annotated[str | None, Form(alias="token")] = None,
) -> HTMLResponse:
    """One click: from the page's button, or from the mail client itself (RFC 8058
    `List-Unsubscribe-Post`, the token in the URL). Records the withdrawal in the client's
    consent ledger."""
    client_id, channel = _unsubscribe_target(token or form_token or "")
    consent = "email_marketing" if channel is Channel.email else "sms_marketing"
    if (await clients.current_consents(session, client_id)).get(consent, False):
        await clients.withdraw_consent(session, client_id, consent, source="link")
    return HTMLResponse(
        _PAGE.format(
            title="C'est noté",
            content="<p>Vous ne recevrez plus nos actualités. Les messages liés à vos "
            "rendez-vous (confirmations, rappels) continuent.</p>",
        )
    )


# --- Resend ------------------------------------------------------------------------------


class ResendAck(BaseModel):
    received: bool = True
    outcome: Literal["applied", "ignored", "unmatched", "duplicate"]


@webhook_router.post(
    "/api/v1/webhooks/resend",
    responses=error_responses(InvalidWebhookSignature, WebhookNotConfigured),
)
async def resend_webhook(request: Request, session: DbSession) -> ResendAck:
    """Resend's delivery events (delivered, bounced, complained…), verified with
    `RESEND_WEBHOOK_SECRET`. A hard bounce or a complaint blocks the address."""
    secret = get_settings().resend.webhook_secret
    if secret is None:
        raise WebhookNotConfigured("RESEND_WEBHOOK_SECRET is not set.")
    body = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    resend_webhooks.verify(secret.get_secret_value(), headers=headers, body=body)
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ValidationFailed("The body is not JSON.") from exc
    if not isinstance(data, dict):
        raise ValidationFailed("The body is not a JSON object.")
    outcome = await resend_events.apply(session, event_id=headers["svix-id"], body=data)
    return ResendAck(outcome=outcome)
