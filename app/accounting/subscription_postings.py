"""The entry of a membership's paid invoice (docs/subscriptions.md, "Accounting"). Stripe
Billing took the money (467 Stripe, paid out later like any Stripe payment); the VAT is
collected at payment (services: VAT at collection, CGI 269-2-c) and the revenue, without VAT,
is the month's: a monthly plan's period never spans two months' closings by more than its
days, so it is booked when paid (a yearly plan's unearned part at a year end is a cut-off
adjustment the accountant books; see the docs)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from app.accounting import chart
from app.accounting.models import SourceKind
from app.accounting.postings import Draft
from app.subscriptions.public import InvoiceRevenue


def invoice_paid(event: InvoiceRevenue) -> Draft:
    rate = Decimal(event.vat_rate)
    draft = Draft(
        journal=chart.method_journal("stripe"),
        at=datetime.fromisoformat(event.paid_at),
        label="Abonnement",
        document_ref=str(event.invoice_id),
        source_kind=SourceKind.subscription,
        source_key=f"subscription_invoice:{event.invoice_id}",
    )
    net = event.amount_cents - event.vat_cents
    draft.add(chart.STRIPE, event.amount_cents)
    draft.add(chart.revenue("service", rate), -net)
    draft.add(chart.vat_collected(rate), -event.vat_cents, vat_base=-net)
    return draft
