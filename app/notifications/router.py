"""The notifications API: HTTP only (the use cases are in service.py and flows.py)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import HTMLResponse

from app.auth.public import ClientSelf, FrontDesk, Staff
from app.core.db import DbSession
from app.core.errors import (
    InvalidWebhookSignature,
    NotFound,
    ValidationFailed,
    WebhookNotConfigured,
    error_responses,
)
from app.core.pagination import Page, Pagination
from app.notifications import flows, pages, resend_events, service
from app.notifications.dependencies import MessageForStaff
from app.notifications.errors import InvalidUnsubscribeLink, NoAddress, SmsTooLongError
from app.notifications.models import MessageStatus
from app.notifications.schemas import MessageOut, PreferencesIO, ResendAck, SendIn, TemplateOut

router = APIRouter(tags=["notifications"])
webhook_router = APIRouter(tags=["webhooks"])


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
    return await service.list_messages(
        session, page=page, client_id=client_id, booking_id=booking_id, status=message_status
    )


@router.get("/api/v1/notifications/messages/{message_id}", responses=error_responses(NotFound))
async def get_message(message: MessageForStaff) -> MessageOut:
    """One message as the front desk may read it (its preview, never its links)."""
    return MessageOut.model_validate(message)


@router.get("/api/v1/notifications/templates")
async def list_templates(_: Staff) -> Page[TemplateOut]:
    """The message templates staff may send (one page)."""
    return Page[TemplateOut](items=service.staff_templates())


@router.post(
    "/api/v1/notifications/messages",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(NoAddress, SmsTooLongError, NotFound),
)
async def send_message(body: SendIn, staff: FrontDesk, session: DbSession) -> MessageOut:
    """Send a client a one-off SMS or e-mail (the CRM's messaging screen). Her choices still
    apply: the answer may be `suppressed` with the reason."""
    message = await flows.send_one_off(session, body, sent_by_user_id=staff.user_id)
    return MessageOut.model_validate(message)


@router.post(
    "/api/v1/notifications/messages/{message_id}/retry",
    responses=error_responses(NotFound, ValidationFailed),
)
async def retry_message(message: MessageForStaff) -> MessageOut:
    """Try a failed message again (after fixing the client's number, say)."""
    return MessageOut.model_validate(service.retry(message))


@router.get("/api/v1/clients/{client_id}/notification-preferences")
async def client_preferences(client_id: UUID, _: FrontDesk, session: DbSession) -> PreferencesIO:
    return await flows.preferences(session, client_id)


@router.put("/api/v1/clients/{client_id}/notification-preferences")
async def set_client_preferences(
    client_id: UUID, body: PreferencesIO, _: FrontDesk, session: DbSession
) -> PreferencesIO:
    return await flows.set_preferences(session, client_id, body)


@router.get("/api/v1/me/notification-preferences")
async def my_preferences(principal: ClientSelf, session: DbSession) -> PreferencesIO:
    return await flows.my_preferences(session, principal)


@router.put("/api/v1/me/notification-preferences")
async def set_my_preferences(
    body: PreferencesIO, principal: ClientSelf, session: DbSession
) -> PreferencesIO:
    return await flows.set_my_preferences(session, principal, body)


# --- unsubscribe -------------------------------------------------------------------------


@router.get(
    "/api/v1/notifications/unsubscribe",
    response_class=HTMLResponse,
    responses=error_responses(InvalidUnsubscribeLink),
)
async def unsubscribe_page(token: str) -> HTMLResponse:
    """The link in a marketing e-mail: a page with one button (a GET changes nothing, so mail
    scanners that open links cannot unsubscribe anyone)."""
    return HTMLResponse(pages.unsubscribe_form(token))


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
    await flows.unsubscribe(session, token or form_token or "")
    return HTMLResponse(pages.UNSUBSCRIBED)


# --- Resend ------------------------------------------------------------------------------


@webhook_router.post(
    "/api/v1/webhooks/resend",
    responses=error_responses(InvalidWebhookSignature, WebhookNotConfigured),
)
async def resend_webhook(request: Request, session: DbSession) -> ResendAck:
    """Resend's delivery events (delivered, bounced, complained…), verified with
    `RESEND_WEBHOOK_SECRET`. A hard bounce or a complaint blocks the address."""
    body = await request.body()
    outcome = await resend_events.receive(session, headers=request.headers, body=body)
    return ResendAck(outcome=outcome)
