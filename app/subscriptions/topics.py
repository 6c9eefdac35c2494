"""Outbox topics the subscriptions domain publishes, each with the model of its payload.
The dunning (app/subscriptions/dunning*.py) follows `renewal_failed`, `invoice_paid`,
`card_updated` and `cancelled`."""

from __future__ import annotations

from uuid import UUID

from app.core.outbox import Payload, Topic

# The reason the dunning gives when it ends an unpaid membership (J+30). The dunning tells
# the client why in its own message, so the core does not send its generic one too.
DUNNING_CANCEL_REASON = "renewal unpaid (dunning)"


class RenewalFailed(Payload):
    """The first failure of a renewal invoice (billing_reason subscription_cycle)."""

    subscription_id: UUID
    invoice_id: UUID  # ours (subscription_invoices.id)
    stripe_invoice_id: str
    amount_cents: int
    decline_code: str | None
    failed_at: str  # ISO 8601


class InvoicePaid(Payload):
    subscription_id: UUID
    invoice_id: UUID
    stripe_invoice_id: str
    amount_cents: int
    paid_at: str  # ISO 8601


class ActionRequired(Payload):
    """3-D Secure is needed to pay an invoice: the client pays on Stripe's hosted page."""

    subscription_id: UUID
    invoice_id: UUID
    hosted_invoice_url: str


class CardUpdated(Payload):
    """The client saved a new card through the card-update flow (now the default one)."""

    subscription_id: UUID
    at: str  # ISO 8601


class Cancelled(Payload):
    subscription_id: UUID
    reason: str
    at: str  # ISO 8601


class InvoiceRevenue(Payload):
    """What the books need of a paid invoice (docs/subscriptions.md, "Accounting"): the
    amount with its VAT and the period it pays for. `prepaid`: the plan includes services,
    so the money is a prepayment (487100) recognised as revenue month by month over the
    period (app/accounting/recognition.py)."""

    subscription_id: UUID
    invoice_id: UUID
    amount_cents: int  # VAT included
    vat_cents: int
    vat_rate: str  # "20.00"
    period_start_at: str | None
    period_end_at: str | None
    prepaid: bool
    paid_at: str


TOPIC_RENEWAL_FAILED = Topic("subscriptions.renewal_failed", RenewalFailed)
TOPIC_INVOICE_PAID = Topic("subscriptions.invoice_paid", InvoicePaid)
TOPIC_ACTION_REQUIRED = Topic("subscriptions.action_required", ActionRequired)
TOPIC_CARD_UPDATED = Topic("subscriptions.card_updated", CardUpdated)
TOPIC_CANCELLED = Topic("subscriptions.cancelled", Cancelled)
TOPIC_INVOICE_REVENUE = Topic("subscriptions.invoice_revenue", InvoiceRevenue)
