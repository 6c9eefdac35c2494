"""What other domains (and the dunning) may use from subscriptions: the timeline, the Stripe
actions a failed renewal needs, who to contact, and the topics others follow."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from app.subscriptions.timeline import record
from app.subscriptions.topics import (
    TOPIC_ACTION_REQUIRED,
    TOPIC_CANCELLED,
    TOPIC_CARD_UPDATED,
    TOPIC_INVOICE_PAID,
    TOPIC_RENEWAL_FAILED,
    ActionRequired,
    Cancelled,
    CardUpdated,
    InvoicePaid,
    RenewalFailed,
)

__all__ = [
    "TOPIC_ACTION_REQUIRED",
    "TOPIC_CANCELLED",
    "TOPIC_CARD_UPDATED",
    "TOPIC_INVOICE_PAID",
    "TOPIC_RENEWAL_FAILED",
    "ActionRequired",
    "Cancelled",
    "CardUpdated",
    "Contact",
    "InvoicePaid",
    "RenewalFailed",
    "RetryOutcome",
    "record",
]


@dataclass(frozen=True, slots=True)
class RetryOutcome:
    """What an immediate retry of the open invoice gave: paid, or the decline and whether it
    is hard (the card will never pass: only a new card helps)."""

    paid: bool
    decline_code: str | None
    hard: bool


@dataclass(frozen=True, slots=True)
class Contact:
    """Who to remind about a membership, and what is due."""

    client_id: UUID
    first_name: str
    email: str | None
    phone: str | None
    plan_name: str
    amount_due_cents: int
