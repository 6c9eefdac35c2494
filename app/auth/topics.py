"""Outbox topics auth publishes (notifications sends their e-mails)."""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime

from app.core.outbox import Payload, Topic


class AccountEmailRequested(Payload):
    """A link to e-mail to an account; `token` travels sealed (`enqueue(..., sealed=)`)."""

    user_id: UUID
    email: str
    first_name: str
    token: str


class StaffDeactivated(Payload):
    user_id: UUID
    at: AwareDatetime


TOPIC_PASSWORD_RESET = Topic("auth.password_reset_requested", AccountEmailRequested)
TOPIC_EMAIL_VERIFICATION = Topic("auth.email_verification_requested", AccountEmailRequested)
# Followed by bookings: her calendar feed is revoked.
TOPIC_STAFF_DEACTIVATED = Topic("auth.staff_deactivated", StaffDeactivated)
