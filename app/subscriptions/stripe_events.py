"""Stripe Billing's webhooks, applied to memberships (declared to payments' inbox through
`app/core/provider_events.py`: verified and stored once there, applied here in its
transaction).

Order and duplicates: every row remembers the `created` of the last Stripe event applied to
it; an older event about the same object changes nothing (pay-rails #282: `subscription.created`
with status incomplete can come after `subscription.updated` active). `invoice.paid` is what
gives access; a paid or void invoice never goes back, so a late `payment_failed` changes
nothing. The subscription row exists before Stripe sends anything (we create it, then the
Stripe subscription, in one transaction), and the invoice is created from whichever of its
events comes first."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import outbox, provider_events
from app.core.clock import utcnow
from app.core.ids import new_id
from app.core.money import euros, vat_included
from app.core.provider_events import Handled
from app.subscriptions import notices, periods, repository
from app.subscriptions.billing import billing
from app.subscriptions.dates import months_after
from app.subscriptions.models import (
    InvoiceStatus,
    Subscription,
    SubscriptionInvoice,
    SubscriptionStatus,
)
from app.subscriptions.plans import get_plan
from app.subscriptions.timeline import record
from app.subscriptions.topics import (
    DUNNING_CANCEL_REASON,
    TOPIC_ACTION_REQUIRED,
    TOPIC_CANCELLED,
    TOPIC_CARD_UPDATED,
    TOPIC_INVOICE_PAID,
    TOPIC_INVOICE_REVENUE,
    TOPIC_RENEWAL_FAILED,
)

INVOICE_EVENTS = (
    "invoice.created",
    "invoice.finalized",
    "invoice.updated",
    "invoice.paid",
    "invoice.payment_failed",
    "invoice.payment_action_required",
)
SUBSCRIPTION_EVENTS = (
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
)
_ENDED = {SubscriptionStatus.cancelled}
_OURS = {SubscriptionStatus.paused, SubscriptionStatus.suspended}  # set by us, not by Stripe


def _at(stamp: Any) -> datetime | None:
    return datetime.fromtimestamp(int(stamp), UTC) if stamp else None


def _subscription_ref(invoice: dict[str, Any]) -> str | None:
    parent = (invoice.get("parent") or {}).get("subscription_details") or {}
    ref = parent.get("subscription") or invoice.get("subscription")
    return ref if isinstance(ref, str) else (ref or {}).get("id")


def _period(invoice: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    lines = (invoice.get("lines") or {}).get("data") or []
    period = lines[-1].get("period") if lines else None
    if not period:
        return _at(invoice.get("period_start")), _at(invoice.get("period_end"))
    return _at(period.get("start")), _at(period.get("end"))


def _decline(invoice: dict[str, Any]) -> str | None:
    error = invoice.get("last_payment_error") or {}
    code = error.get("decline_code") or error.get("code")
    return str(code) if code else None


async def _membership(
    session: AsyncSession, ref: str | None, meta: dict[str, Any]
) -> Subscription | None:
    """Ours by the Stripe id, else by the id we put in the metadata (linked then)."""
    found = await repository.by_stripe_ref(session, ref) if ref else None
    if found is None and meta.get("subscription_id"):
        found = await repository.subscription(session, UUID(meta["subscription_id"]), lock=True)
        if found is not None and ref and found.stripe_subscription_id is None:
            found.stripe_subscription_id = ref
    return found


async def _invoice_row(
    session: AsyncSession, sub: Subscription, obj: dict[str, Any], created: int
) -> SubscriptionInvoice:
    row = await repository.invoice_by_ref(session, obj["id"])
    start, end = _period(obj)
    if row is None:
        plan = await get_plan(session, sub.plan_id)
        amount = int(obj.get("total", obj.get("amount_due", 0)))
        row = SubscriptionInvoice(
            id=new_id(),
            subscription_id=sub.id,
            stripe_invoice_id=obj["id"],
            status=InvoiceStatus.open,
            billing_reason=obj.get("billing_reason"),
            amount_cents=amount,
            vat_rate=plan.vat_rate,
            vat_cents=vat_included(amount, Decimal(plan.vat_rate)),
            currency=str(obj.get("currency") or "eur").upper(),
            period_start_at=start,
            period_end_at=end,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        session.add(row)
        await session.flush()
    if created >= row.stripe_event_created:
        row.stripe_event_created = created
        row.hosted_invoice_url = obj.get("hosted_invoice_url") or row.hosted_invoice_url
        row.attempt_count = max(row.attempt_count, int(obj.get("attempt_count") or 0))
        row.next_payment_attempt_at = _at(obj.get("next_payment_attempt"))
        row.updated_at = utcnow()
    return row


@provider_events.handles("stripe", *INVOICE_EVENTS)
async def on_invoice(session: AsyncSession, event: dict[str, Any]) -> Handled:
    obj = event["data"]["object"]
    meta = ((obj.get("parent") or {}).get("subscription_details") or {}).get("metadata") or {}
    sub = await _membership(session, _subscription_ref(obj), meta)
    if sub is None:
        return Handled("unmatched", "no membership of ours")
    row = await _invoice_row(session, sub, obj, int(event.get("created") or 0))
    kind = event["type"]
    if kind == "invoice.paid":
        return await _paid(session, sub, row, obj)
    if kind == "invoice.payment_failed":
        return await _failed(session, sub, row, obj)
    if kind == "invoice.payment_action_required":
        return await _action_required(session, sub, row)
    return Handled("applied", f"invoice {row.status}")


async def _paid(
    session: AsyncSession, sub: Subscription, row: SubscriptionInvoice, obj: dict[str, Any]
) -> Handled:
    if row.status == InvoiceStatus.paid:
        return Handled("ignored", "already paid")
    await mark_paid(session, sub, row, _at((obj.get("status_transitions") or {}).get("paid_at")))
    return Handled("applied", "paid")


async def mark_paid(
    session: AsyncSession,
    sub: Subscription,
    row: SubscriptionInvoice,
    paid_at: datetime | None = None,
) -> None:
    """The invoice is paid: access (active, the period's allowances), the topics, a message."""
    paid_at = paid_at or utcnow()
    row.status, row.paid_at, row.decline_code = InvoiceStatus.paid, paid_at, None
    plan = await get_plan(session, sub.plan_id)
    first = sub.status == SubscriptionStatus.incomplete
    if sub.status not in (_ENDED | {SubscriptionStatus.paused}):
        sub.status = SubscriptionStatus.active
        sub.suspended_at = None
    if row.period_start_at and row.period_end_at:
        if sub.current_period_end_at is None or row.period_end_at >= sub.current_period_end_at:
            sub.current_period_start_at = row.period_start_at
            sub.current_period_end_at = row.period_end_at
        await periods.open_period(
            session, sub, plan, start=row.period_start_at, end=row.period_end_at, invoice_id=row.id
        )
    if first and plan.commitment_months and sub.commitment_end_date is None:
        sub.commitment_end_date = months_after(paid_at.date(), plan.commitment_months)
    sub.updated_at = utcnow()
    await outbox.enqueue(
        session,
        TOPIC_INVOICE_PAID,
        {
            "subscription_id": sub.id,
            "invoice_id": row.id,
            "stripe_invoice_id": row.stripe_invoice_id,
            "amount_cents": row.amount_cents,
            "paid_at": paid_at.isoformat(),
        },
    )
    await outbox.enqueue(
        session,
        TOPIC_INVOICE_REVENUE,
        {
            "subscription_id": sub.id,
            "invoice_id": row.id,
            "amount_cents": row.amount_cents,
            "vat_cents": row.vat_cents,
            "vat_rate": str(row.vat_rate),
            "period_start_at": row.period_start_at.isoformat() if row.period_start_at else None,
            "period_end_at": row.period_end_at.isoformat() if row.period_end_at else None,
            "prepaid": bool(await repository.allowances(session, [plan.id])),
            "paid_at": paid_at.isoformat(),
        },
    )
    template = "subscription_confirmed" if first else "subscription_renewed"
    await notices.send(session, sub, plan, template, f"{template}:{row.id}")


async def _failed(
    session: AsyncSession, sub: Subscription, row: SubscriptionInvoice, obj: dict[str, Any]
) -> Handled:
    if row.status in (InvoiceStatus.paid, InvoiceStatus.void):
        return Handled("ignored", f"invoice already {row.status}")
    first_failure = row.status != InvoiceStatus.failed
    row.status, row.decline_code = InvoiceStatus.failed, _decline(obj)
    row.failed_at = row.failed_at or utcnow()
    if sub.status == SubscriptionStatus.active:
        sub.status = SubscriptionStatus.past_due
        sub.updated_at = utcnow()
    if first_failure and row.billing_reason == "subscription_cycle":
        await outbox.enqueue(
            session,
            TOPIC_RENEWAL_FAILED,
            {
                "subscription_id": sub.id,
                "invoice_id": row.id,
                "stripe_invoice_id": row.stripe_invoice_id,
                "amount_cents": row.amount_cents,
                "decline_code": row.decline_code,
                "failed_at": row.failed_at.isoformat(),
            },
        )
    else:
        await record(
            session,
            sub.id,
            "payment_failed",
            {
                "invoice_id": str(row.id),
                "decline_code": row.decline_code,
                "attempt": row.attempt_count,
            },
            dedupe_key=f"payment_failed:{row.stripe_invoice_id}:{row.attempt_count}",
        )
    return Handled("applied", "failed")


async def _action_required(
    session: AsyncSession, sub: Subscription, row: SubscriptionInvoice
) -> Handled:
    if row.status == InvoiceStatus.paid or not row.hosted_invoice_url:
        return Handled("ignored", "nothing to confirm")
    await outbox.enqueue(
        session,
        TOPIC_ACTION_REQUIRED,
        {
            "subscription_id": sub.id,
            "invoice_id": row.id,
            "hosted_invoice_url": row.hosted_invoice_url,
        },
    )
    plan = await get_plan(session, sub.plan_id)
    await notices.send(
        session,
        sub,
        plan,
        "subscription_action_required",
        f"subscription_action_required:{row.id}:{row.attempt_count}",
        ("email", "sms"),
        pay_url=row.hosted_invoice_url,
        amount=euros(row.amount_cents),
    )
    return Handled("applied", "action required")


@provider_events.handles("stripe", *SUBSCRIPTION_EVENTS)
async def on_subscription(session: AsyncSession, event: dict[str, Any]) -> Handled:
    obj = event["data"]["object"]
    sub = await _membership(session, obj.get("id"), obj.get("metadata") or {})
    if sub is None:
        return Handled("unmatched", "no membership of ours")
    created = int(event.get("created") or 0)
    if created < sub.stripe_event_created:
        return Handled("ignored", "older than what we know")
    sub.stripe_event_created = created
    apply_subscription(sub, obj, deleted=event["type"].endswith(".deleted"))
    if sub.status == SubscriptionStatus.cancelled and sub.cancelled_at is not None:
        await published_cancel(session, sub, sub.cancel_reason or "stripe")
    return Handled("applied", sub.status)


def apply_subscription(sub: Subscription, obj: dict[str, Any], *, deleted: bool = False) -> None:
    """Stripe's view of the subscription onto ours. Access itself comes from invoice.paid:
    an `active` here never activates an incomplete membership, and statuses we own
    (paused, suspended) are left to us."""
    items = (obj.get("items") or {}).get("data") or []
    if items and items[0].get("current_period_end"):
        end = _at(items[0]["current_period_end"])
        if end and (sub.current_period_end_at is None or end >= sub.current_period_end_at):
            sub.current_period_start_at = _at(items[0].get("current_period_start"))
            sub.current_period_end_at = end
    sub.cancel_at_period_end = bool(obj.get("cancel_at_period_end"))
    status = obj.get("status")
    if sub.status in _ENDED:
        pass
    elif deleted or status in {"canceled", "incomplete_expired"}:
        sub.status = SubscriptionStatus.cancelled
        sub.cancelled_at = _at(obj.get("canceled_at")) or utcnow()
        sub.cancel_reason = sub.cancel_reason or "ended in Stripe"
    elif status == "past_due" and sub.status == SubscriptionStatus.active:
        sub.status = SubscriptionStatus.past_due
    elif obj.get("pause_collection") and sub.status == SubscriptionStatus.active:
        sub.status = SubscriptionStatus.paused
        sub.pause_resumes_at = _at((obj["pause_collection"] or {}).get("resumes_at"))
    elif not obj.get("pause_collection") and sub.status == SubscriptionStatus.paused:
        sub.status, sub.pause_resumes_at = SubscriptionStatus.active, None
    sub.updated_at = utcnow()


async def published_cancel(session: AsyncSession, sub: Subscription, reason: str) -> None:
    if await record(session, sub.id, "ended", {"reason": reason}, dedupe_key=f"ended:{sub.id}"):
        await outbox.enqueue(
            session,
            TOPIC_CANCELLED,
            {
                "subscription_id": sub.id,
                "reason": reason,
                "at": (sub.cancelled_at or utcnow()).isoformat(),
            },
        )
        if reason == DUNNING_CANCEL_REASON:
            return
        plan = await get_plan(session, sub.plan_id)
        await notices.send(
            session, sub, plan, "subscription_cancelled", f"subscription_cancelled:{sub.id}"
        )


@provider_events.handles("stripe", "setup_intent.succeeded")
async def on_card_saved(session: AsyncSession, event: dict[str, Any]) -> Handled:
    """A new card saved through the card-update flow: the default for the membership's
    invoices from now on; the dunning retries at once (it follows `card_updated`)."""
    intent = event["data"]["object"]
    meta = intent.get("metadata") or {}
    if meta.get("purpose") != "subscription_card" or not meta.get("subscription_id"):
        return Handled("unmatched", "no card of ours")
    sub = await repository.subscription(session, UUID(meta["subscription_id"]), lock=True)
    if sub is None or sub.stripe_customer_id is None or sub.stripe_subscription_id is None:
        return Handled("unmatched", "no membership of ours")
    method = intent.get("payment_method")
    method = method if isinstance(method, str) else (method or {}).get("id")
    if method:
        await billing().set_default_card(
            customer_ref=sub.stripe_customer_id,
            subscription_ref=sub.stripe_subscription_id,
            payment_method_ref=method,
        )
    await outbox.enqueue(
        session, TOPIC_CARD_UPDATED, {"subscription_id": sub.id, "at": utcnow().isoformat()}
    )
    if sub.status == SubscriptionStatus.incomplete:
        await _pay_first_invoice(session, sub)
    return Handled("applied", "card updated")


async def _pay_first_invoice(session: AsyncSession, sub: Subscription) -> None:
    """A membership made at the desk: the card just saved pays its first invoice."""
    row = await repository.open_invoice(session, sub.id)
    ref = row.stripe_invoice_id if row else None
    if ref is None:
        fetched = await billing().fetch_subscription(sub.stripe_subscription_id or "")
        latest = (fetched or {}).get("latest_invoice")
        ref = latest if isinstance(latest, str) else (latest or {}).get("id")
    if ref is None:
        return
    result = await billing().pay_invoice(ref)
    await record(
        session,
        sub.id,
        "first_payment",
        {"paid": result.paid, "decline_code": result.decline_code},
    )
