"""Provider webhooks, handled exactly once.

Each event is inserted into `provider_events` keyed by (provider, event id) in the same
transaction that applies it. A replay finds the row and changes nothing; two deliveries at
the same moment meet on the unique index, where the second waits for the first to commit
and then does nothing. Events about a payment we do not know are stored as `unmatched` and
reported in the logs and to staff, and answered 200 so the provider stops retrying.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import provider_events
from app.core.clock import utcnow
from app.core.db import json_safe
from app.core.ids import new_id
from app.integrations.gateway import ProviderState, RefundResult, cents_from, required
from app.integrations.paypal import webhooks as paypal_adapter
from app.integrations.stripe import webhooks as stripe_adapter
from app.payments import checkout, ledger, payouts, providers, refunds
from app.payments.models import (
    EventOutcome,
    Payment,
    PaymentMethod,
    PaymentStatus,
    PayoutProvider,
    PayoutSource,
    ProviderEvent,
    Refund,
    RefundStatus,
    SavedCard,
    SavedCardStatus,
    TerminalReader,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Received:
    outcome: str  # an EventOutcome, or "duplicate"
    payment_id: UUID | None = None


@dataclass(slots=True)
class Applied:
    outcome: EventOutcome
    payment: Payment | None = None
    note: str | None = None


async def receive(
    session: AsyncSession,
    *,
    provider: str,
    event_id: str,
    event_type: str,
    payload: dict[str, Any],
) -> tuple[ProviderEvent | None, Received]:
    """Store the event, or learn it was already stored (then nothing else happens)."""
    row_id = new_id()
    inserted = await session.scalar(
        insert(ProviderEvent)
        .values(
            id=row_id,
            provider=provider,
            event_id=event_id[:200],
            event_type=event_type[:100],
            payload=json_safe(payload),
            outcome=EventOutcome.ignored,
            received_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["provider", "event_id"])
        .returning(ProviderEvent.id)
    )
    if inserted is None:
        logger.info("provider event replayed", extra={"provider": provider, "event_id": event_id})
        return None, Received("duplicate")
    event = required(await session.get(ProviderEvent, row_id), "the stored event")
    return event, Received(EventOutcome.ignored)


async def apply_safely(session: AsyncSession, apply: Callable[[], Awaitable[Applied]]) -> Applied:
    """Apply a verified event; one we cannot read (a field missing or of another type) is
    kept as `ignored` with the reason, not a 500 that the provider would retry forever."""
    try:
        async with session.begin_nested():
            return await apply()
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        logger.warning("unreadable provider event", extra={"error": repr(exc)})
        return Applied(EventOutcome.ignored, note=f"unreadable: {exc!r}"[:500])


async def process(
    session: AsyncSession,
    *,
    provider: str,
    event_id: str,
    event_type: str,
    payload: dict[str, Any],
    apply: Callable[[ProviderEvent], Awaitable[Applied]],
) -> Received:
    """Store a verified event once and, the first time only, apply it."""
    event, received = await receive(
        session, provider=provider, event_id=event_id, event_type=event_type, payload=payload
    )
    if event is None:
        return received
    return finish(event, await apply_safely(session, lambda: apply(event)))


def finish(event: ProviderEvent, applied: Applied) -> Received:
    event.outcome = applied.outcome
    event.payment_id = applied.payment.id if applied.payment else None
    event.note = applied.note
    if applied.outcome is EventOutcome.unmatched:
        logger.warning(
            "provider event for an unknown payment",
            extra={
                "provider": event.provider,
                "event_id": event.event_id,
                "type": event.event_type,
            },
        )
    return Received(applied.outcome, event.payment_id)


async def _payment_by(
    session: AsyncSession, provider: str, *, ref: str | None = None, charge_ref: str | None = None
) -> Payment | None:
    conditions = []
    if ref:
        conditions.append(Payment.provider_ref == ref)
    if charge_ref:
        conditions.append(Payment.provider_charge_ref == charge_ref)
    if not conditions:
        return None
    return await session.scalar(
        select(Payment)
        .where(Payment.provider == provider, or_(*conditions))
        .with_for_update()
        .limit(1)
    )


async def state_change(
    session: AsyncSession, event: ProviderEvent, payment: Payment | None, state: ProviderState
) -> Applied:
    if payment is None:
        return Applied(EventOutcome.unmatched)
    changed = await ledger.apply_state(session, payment, state, source="webhook", event_id=event.id)
    if changed:
        return Applied(EventOutcome.applied, payment)
    return Applied(EventOutcome.ignored, payment, f"already {payment.status}")


async def _refund_change(
    session: AsyncSession,
    event: ProviderEvent,
    payment: Payment | None,
    *,
    refund_ref: str,
    amount_cents: int,
    result: RefundResult,
) -> Applied:
    """A refund's news. One made outside this API (the provider's dashboard) is recorded."""
    if payment is None:
        return Applied(EventOutcome.unmatched)
    refund = await session.scalar(select(Refund).where(Refund.provider_ref == refund_ref))
    if refund is None:
        refund = Refund(
            id=new_id(),
            payment_id=payment.id,
            amount_cents=amount_cents,
            status=RefundStatus.pending,
            reason="made at the provider",
            provider_ref=refund_ref,
            created_at=utcnow(),
        )
        session.add(refund)
        await refunds.follow_subject(session, payment, refund)
    changed = await refunds.apply_refund_result(session, payment, refund, result, source="webhook")
    await session.flush()
    return Applied(EventOutcome.applied if changed else EventOutcome.ignored, payment)


# --- Stripe -------------------------------------------------------------------------------

_STRIPE_INTENT_EVENTS = {
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "payment_intent.requires_action",
    "payment_intent.processing",
}
_STRIPE_REFUND_EVENTS = {
    "refund.created",
    "refund.updated",
    "refund.failed",
    "charge.refund.updated",
}


async def apply_stripe(
    session: AsyncSession, event: ProviderEvent, body: dict[str, Any]
) -> Applied:
    kind = body.get("type", "")
    obj = (body.get("data") or {}).get("object") or {}
    if kind in _STRIPE_INTENT_EVENTS:
        payment = await _payment_by(session, "stripe", ref=obj.get("id"))
        if payment is None:
            return Applied(EventOutcome.unmatched)
        return await state_change(session, event, payment, stripe_adapter.payment_intent_state(obj))
    if kind in _STRIPE_REFUND_EVENTS:
        payment = await _payment_by(session, "stripe", ref=obj.get("payment_intent"))
        if payment is None:
            return Applied(EventOutcome.unmatched)
        return await _refund_change(
            session,
            event,
            payment,
            refund_ref=obj["id"],
            amount_cents=int(obj["amount"]),
            result=stripe_adapter.refund_state(obj),
        )
    if kind == "charge.refunded":
        return await _charge_refunded(session, event, obj)
    if kind == "setup_intent.succeeded":
        saved = await _card_saved(session, obj)
        # A SetupIntent that no saved card of ours made (a membership's new card): its owner's.
        return (
            saved
            if saved.outcome is not EventOutcome.unmatched
            else await _elsewhere(session, body)
        )
    if kind in {"payout.paid", "payout.failed"}:
        return await _payout_news(session, obj)
    return await _elsewhere(session, body)


async def _elsewhere(session: AsyncSession, body: dict[str, Any]) -> Applied:
    """An event another domain declared it acts on (app/core/provider_events.py)."""
    handler = provider_events.handler_for("stripe", str(body.get("type", "")))
    if handler is None:
        return Applied(EventOutcome.ignored, note="not an event we act on")
    handled = await handler(session, body)
    return Applied(EventOutcome(handled.outcome), note=handled.note)


async def _payout_news(session: AsyncSession, payout: dict[str, Any]) -> Applied:
    """A payout reached the bank or failed: Stripe is asked for the payout and the balance
    transactions it paid out (the event's own object only on the console)."""
    report = await providers.stripe_provider().payout(payout["id"])
    recorded = await payouts.record(
        session,
        PayoutProvider.stripe,
        report or stripe_adapter.payout_report(payout),
        source=PayoutSource.webhook,
    )
    if recorded is None:
        return Applied(EventOutcome.ignored, note="payout not arrived yet")
    note = f"payout {recorded.payout.id} {recorded.payout.status}"
    return Applied(EventOutcome.applied if recorded.changed else EventOutcome.ignored, note=note)


async def _charge_refunded(
    session: AsyncSession, event: ProviderEvent, charge: dict[str, Any]
) -> Applied:
    """A charge refunded (from the dashboard, say) with its refunds in the event: each is
    recorded once, whichever of this event and its `refund.*` events comes first. Without
    them (newer API versions leave them out) the `refund.*` events carry the news."""
    payment = await _payment_by(
        session, "stripe", ref=charge.get("payment_intent"), charge_ref=charge.get("id")
    )
    if payment is None:
        return Applied(EventOutcome.unmatched)
    outcome = Applied(EventOutcome.ignored, payment, "no refund in the event")
    for refund in (charge.get("refunds") or {}).get("data") or []:
        applied = await _refund_change(
            session,
            event,
            payment,
            refund_ref=refund["id"],
            amount_cents=int(refund["amount"]),
            result=stripe_adapter.refund_state(refund),
        )
        if applied.outcome is EventOutcome.applied:
            outcome = applied
    return outcome


async def _card_saved(session: AsyncSession, intent: dict[str, Any]) -> Applied:
    card = await session.scalar(
        select(SavedCard)
        .where(SavedCard.provider == "stripe", SavedCard.setup_ref == intent.get("id"))
        .with_for_update()
    )
    if card is None:
        return Applied(EventOutcome.unmatched)
    method = intent.get("payment_method")
    return await activate_saved_card(
        session, card, method if isinstance(method, str) else (method or {}).get("id")
    )


async def activate_saved_card(
    session: AsyncSession, card: SavedCard, payment_method_ref: str | None
) -> Applied:
    """The SetupIntent succeeded (Stripe's event, or /simulate on the console): the card is
    saved and can be charged later."""
    if card.status != SavedCardStatus.pending:
        return Applied(EventOutcome.ignored, note=f"card already {card.status}")
    card.payment_method_ref = payment_method_ref
    if card.payment_method_ref:
        card.brand, card.last4, card.fingerprint = await providers.stripe_provider().card_details(
            card.payment_method_ref
        )
    card.status, card.updated_at = SavedCardStatus.active, utcnow()
    return Applied(EventOutcome.applied, note=f"card {card.id} saved")


# --- PayPal -------------------------------------------------------------------------------


def _link(resource: dict[str, Any], rel: str) -> str | None:
    for link in resource.get("links") or []:
        if link.get("rel") == rel:
            return str(link.get("href", "")).rstrip("/").rsplit("/", 1)[-1] or None
    return None


async def apply_paypal(
    session: AsyncSession, event: ProviderEvent, body: dict[str, Any]
) -> Applied:
    kind = body.get("event_type", "")
    resource = body.get("resource") or {}
    if kind == "CHECKOUT.ORDER.APPROVED":
        payment = await _payment_by(session, "paypal", ref=resource.get("id"))
        if payment is None:
            return Applied(EventOutcome.unmatched)
        if PaymentStatus(payment.status) not in {
            PaymentStatus.pending,
            PaymentStatus.requires_action,
        }:
            return Applied(EventOutcome.ignored, payment, f"already {payment.status}")
        await checkout.capture(session, payment, source="webhook")
        return Applied(EventOutcome.applied, payment)
    if kind.startswith("PAYMENT.CAPTURE.") and kind != "PAYMENT.CAPTURE.REFUNDED":
        order_id = ((resource.get("supplementary_data") or {}).get("related_ids") or {}).get(
            "order_id"
        ) or _link(resource, "up")
        payment = await _payment_by(session, "paypal", ref=order_id, charge_ref=resource.get("id"))
        state = ProviderState(
            ref=order_id or "",
            status=paypal_adapter.capture_status(resource),
            charge_ref=resource.get("id"),
            fee_cents=paypal_adapter.capture_fee(resource),
        )
        return await state_change(session, event, payment, state)
    if kind == "PAYMENT.CAPTURE.REFUNDED":
        payment = await _payment_by(session, "paypal", charge_ref=_link(resource, "up"))
        return await _refund_change(
            session,
            event,
            payment,
            refund_ref=resource["id"],
            amount_cents=cents_from((resource.get("amount") or {}).get("value", "0")),
            result=paypal_adapter.refund_state(resource),
        )
    return Applied(EventOutcome.ignored, note="not an event we act on")


# --- SumUp --------------------------------------------------------------------------------


async def apply_sumup(session: AsyncSession, event: ProviderEvent, payment_id: UUID) -> Applied:
    """The reader's callback is not signed: what SumUp answers about the checkout is what
    counts, not the callback's own status."""
    payment = await session.scalar(
        select(Payment).where(Payment.id == payment_id).with_for_update()
    )
    if payment is None:
        return Applied(EventOutcome.unmatched)
    return Applied(
        EventOutcome.applied
        if await refresh(session, payment, source="webhook", event_id=event.id)
        else EventOutcome.ignored,
        payment,
    )


async def refresh(
    session: AsyncSession, payment: Payment, *, source: str, event_id: UUID | None = None
) -> bool:
    """Ask the provider where a payment stands and apply it (the poll task's safety net)."""
    if payment.provider_ref is None or payment.provider == "console":
        return False
    reader_ref = None
    if payment.reader_id:
        reader = await session.get(TerminalReader, payment.reader_id)
        reader_ref = reader.provider_reader_id if reader else None
    adapter = providers.for_provider(payment.provider, PaymentMethod(payment.method))
    state = await adapter.fetch(
        payment.provider_ref, reader_ref=reader_ref, session_ref=payment.provider_session_ref
    )
    return await ledger.apply_state(session, payment, state, source=source, event_id=event_id)
