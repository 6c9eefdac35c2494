"""What subscriptions does when events are published (its own, after commit)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import outbox
from app.subscriptions import dunning
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


@outbox.handles(TOPIC_RENEWAL_FAILED, name="subscriptions.timeline_renewal_failed")
async def on_renewal_failed(session: AsyncSession, payload: RenewalFailed) -> None:
    """Staff see the failure on the timeline (the dunning follows it too)."""
    await record(
        session,
        payload.subscription_id,
        "renewal_failed",
        payload.model_dump(mode="json"),
        dedupe_key=f"renewal_failed:{payload.invoice_id}",
    )


@outbox.handles(TOPIC_CARD_UPDATED, name="subscriptions.timeline_card_updated")
async def on_card_updated(session: AsyncSession, payload: CardUpdated) -> None:
    await record(
        session,
        payload.subscription_id,
        "card_updated",
        payload.model_dump(mode="json"),
        dedupe_key=f"card_updated:{payload.subscription_id}:{payload.at}",
    )


@outbox.handles(TOPIC_INVOICE_PAID, name="subscriptions.timeline_invoice_paid")
async def on_invoice_paid(session: AsyncSession, payload: InvoicePaid) -> None:
    await record(
        session,
        payload.subscription_id,
        "invoice_paid",
        payload.model_dump(mode="json"),
        dedupe_key=f"invoice_paid:{payload.invoice_id}",
    )


@outbox.handles(TOPIC_ACTION_REQUIRED, name="subscriptions.timeline_action_required")
async def on_action_required(session: AsyncSession, payload: ActionRequired) -> None:
    await record(
        session,
        payload.subscription_id,
        "action_required",
        payload.model_dump(mode="json"),
        dedupe_key=f"action_required:{payload.invoice_id}",
    )


@outbox.handles(TOPIC_CANCELLED, name="subscriptions.timeline_cancelled")
async def on_cancelled(session: AsyncSession, payload: Cancelled) -> None:
    await record(
        session,
        payload.subscription_id,
        "cancelled",
        payload.model_dump(mode="json"),
        dedupe_key=f"cancelled:{payload.subscription_id}",
    )


# ---- the dunning (app/subscriptions/dunning.py, docs/subscriptions.md "Dunning") -----------


@outbox.handles(TOPIC_RENEWAL_FAILED, name="subscriptions.dunning_open")
async def dunning_open(session: AsyncSession, payload: RenewalFailed) -> None:
    """A failed renewal opens its dunning case (once per invoice)."""
    await dunning.open_case(
        session,
        subscription_id=payload.subscription_id,
        invoice_id=payload.invoice_id,
        stripe_invoice_id=payload.stripe_invoice_id,
        amount_cents=payload.amount_cents,
        decline_code=payload.decline_code,
        failed_at=datetime.fromisoformat(payload.failed_at),
    )


@outbox.handles(TOPIC_INVOICE_PAID, name="subscriptions.dunning_recover")
async def dunning_recover(session: AsyncSession, payload: InvoicePaid) -> None:
    await dunning.invoice_paid(
        session, invoice_id=payload.invoice_id, paid_at=datetime.fromisoformat(payload.paid_at)
    )


@outbox.handles(TOPIC_CARD_UPDATED, name="subscriptions.dunning_retry_new_card")
async def dunning_retry_new_card(session: AsyncSession, payload: CardUpdated) -> None:
    await dunning.card_updated(
        session, subscription_id=payload.subscription_id, at=datetime.fromisoformat(payload.at)
    )


@outbox.handles(TOPIC_CANCELLED, name="subscriptions.dunning_end")
async def dunning_end(session: AsyncSession, payload: Cancelled) -> None:
    await dunning.membership_ended(session, subscription_id=payload.subscription_id)
