"""The core's actions the dunning takes, in one place (app/subscriptions/public.py).

The dunning never touches Stripe or the entitlements itself: it asks the core to retry the
invoice, suspend, reinstate or cancel the membership, and to say who to write to and where
she saves a new card. This seam is the only module to change if their names move."""

from __future__ import annotations

from app.subscriptions.public import (
    Contact,
    RetryOutcome,
    cancel_now,
    card_update_url,
    contact,
    record,
    reinstate,
    retry_invoice,
    suspend,
)

__all__ = [
    "Contact",
    "RetryOutcome",
    "cancel_now",
    "card_update_url",
    "contact",
    "record",
    "reinstate",
    "retry_invoice",
    "suspend",
]
