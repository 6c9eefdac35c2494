"""The entries of a membership's paid invoice (docs/subscriptions.md, "Accounting"). Stripe
Billing took the money (467 Stripe, paid out later like any Stripe payment); the VAT is
collected at payment (services: VAT at collection, CGI 269-2-c). A plan without services
books its revenue, without VAT, when paid. A plan that includes services is paid ahead for
its period: the price without VAT waits in 487100 (role `prepaid_memberships`) and becomes
706 pro rata temporis, one slice per calendar month the period touches, each dated the last
day of its month (or the period's end when earlier) and posted once that day has passed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from app.accounting import chart
from app.accounting.models import JournalCode, SourceKind
from app.accounting.postings import Draft
from app.core.timeutils import local_midnight, zone
from app.subscriptions.public import InvoiceRevenue


def spread(event: InvoiceRevenue) -> tuple[datetime, datetime] | None:
    """The period an invoice's revenue is spread over, or None when it is booked at payment
    (a plan without services, no period, or nothing to spread: a proration's credit)."""
    if not event.prepaid or not event.period_start_at or not event.period_end_at:
        return None
    if event.amount_cents - event.vat_cents <= 0:
        return None
    start = datetime.fromisoformat(event.period_start_at)
    end = datetime.fromisoformat(event.period_end_at)
    return (start, end) if end >= start else None


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
    credited = chart.PREPAID_MEMBERSHIPS if spread(event) else chart.revenue("service", rate)
    draft.add(chart.STRIPE, event.amount_cents)
    draft.add(credited, -net)
    draft.add(chart.vat_collected(rate), -event.vat_cents, vat_base=-net)
    return draft


@dataclass(frozen=True, slots=True)
class Slice:
    month: str  # "2027-03"
    day: date  # the entry's date: the month's last day, or the period's end when earlier
    cents: int


def _month_end(day: date) -> date:
    first_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_next - timedelta(days=1)


def slices(start_at: datetime, end_at: datetime, net_cents: int) -> list[Slice]:
    """The net spread by local days over [start, end): each month gets its days' share
    (rounded down), the last the remainder, so they sum to `net_cents` exactly."""
    tz = zone()
    start, end = start_at.astimezone(tz).date(), end_at.astimezone(tz).date()
    total = (end - start).days
    if total <= 0:
        return [Slice(f"{end:%Y-%m}", end, net_cents)]
    found: list[Slice] = []
    day = start
    while day < end:
        month_end = _month_end(day)
        following = min(month_end + timedelta(days=1), end)
        days = (following - day).days
        found.append(Slice(f"{day:%Y-%m}", min(month_end, end), net_cents * days // total))
        day = following
    done = sum(s.cents for s in found[:-1])
    found[-1] = Slice(found[-1].month, found[-1].day, net_cents - done)
    return found


def recognised(invoice_id: UUID, rate: Decimal, part: Slice) -> Draft:
    """A month's slice of a prepaid membership becomes revenue."""
    draft = Draft(
        journal=JournalCode.misc,
        at=local_midnight(part.day, zone()) + timedelta(hours=12),
        label=f"Abonnement - prestations {part.month}",
        document_ref=str(invoice_id),
        source_kind=SourceKind.subscription,
        source_key=f"subscription_recognition:{invoice_id}:{part.month}",
    )
    draft.add(chart.PREPAID_MEMBERSHIPS, part.cents)
    draft.add(chart.revenue("service", rate), -part.cents)
    return draft
