"""The payments use cases the API (and a task or the CLI) calls, each with its audit record:
money moved by staff is in the audit log whoever moved it and from wherever."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.public import Principal, Role, record_audit
from app.bookings import public as bookings
from app.clients import public as clients
from app.core.config import get_settings
from app.core.errors import NotFound
from app.core.payables import Subject
from app.payments import cards, checkout, desk, ledger, refunds, reports, webhooks
from app.payments.balances import Balance, balance
from app.payments.errors import PaymentNotCapturable, SimulationNotAvailable
from app.payments.models import (
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    SavedCard,
    SavedCardStatus,
)
from app.payments.providers import ProviderState
from app.payments.repository import saved_card


async def _audit_payment(
    session: AsyncSession, action: str, staff_user_id: UUID, payment_id: UUID, data: dict[str, Any]
) -> None:
    await record_audit(
        session,
        action,
        actor_user_id=staff_user_id,
        subject_type="payment",
        subject_id=payment_id,
        data=data,
    )


async def start_deposit(
    session: AsyncSession,
    *,
    booking_id: UUID,
    payer: Principal | None,
    token: str | None,
    method: PaymentMethod,
    return_url: str | None,
    cancel_url: str | None,
) -> checkout.Checkout:
    """The site pays a held booking's deposit, for whoever may pay it."""
    await bookings.ensure_may_pay(session, booking_id, payer, token)
    return await checkout.start_deposit(
        session,
        subject=("booking", booking_id),
        method=method,
        return_url=return_url,
        cancel_url=cancel_url,
    )


async def capture_for_payer(
    session: AsyncSession, payment_id: UUID, *, payer: Principal | None, token: str | None
) -> Payment:
    """Capture the PayPal order of a booking's payer, back from PayPal."""
    payment = await ledger.get_payment(session, payment_id, lock=True)
    if payment.booking_id is None:
        raise PaymentNotCapturable()
    await bookings.ensure_may_pay(session, payment.booking_id, payer, token)
    return await checkout.capture(session, payment, source="api")


async def simulate(session: AsyncSession, payment_id: UUID, outcome: str) -> Payment:
    """Development only: finish a console payment as the provider's webhook would."""
    payment = await ledger.get_payment(session, payment_id, lock=True)
    if payment.provider != "console" or get_settings().app.env == "production":
        raise SimulationNotAvailable()
    state = ProviderState(
        ref=payment.provider_ref or "",
        status=PaymentStatus(outcome),
        charge_ref=payment.provider_ref,
        failure_message="Simulated failure" if outcome == "failed" else None,
    )
    await webhooks.process(
        session,
        provider="console",
        event_id=f"{payment.id}:{outcome}",
        event_type=f"console.{outcome}",
        payload={"payment_id": str(payment.id), "outcome": outcome},
        apply=lambda event: webhooks.state_change(session, event, payment, state),
    )
    return payment


async def take_in_person(
    session: AsyncSession,
    *,
    subject: Subject,
    method: PaymentMethod,
    amount_cents: int | None,
    tip_cents: int,
    reader_id: UUID | None,
    note: str | None,
    staff_user_id: UUID,
) -> Payment:
    """The desk takes (part of) what a subject is due, and a tip."""
    return await desk.take_in_person(
        session,
        subject=subject,
        method=method,
        amount_cents=amount_cents,
        tip_cents=tip_cents,
        reader_id=reader_id,
        note=note,
        staff_user_id=staff_user_id,
    )


async def charge_no_show_fee(
    session: AsyncSession, *, subject: Subject, amount_cents: int, staff_user_id: UUID
) -> Payment:
    payment = await checkout.charge_no_show_fee(
        session, subject=subject, amount_cents=amount_cents, staff_user_id=staff_user_id
    )
    await _audit_payment(
        session,
        "payment.no_show_fee",
        staff_user_id,
        payment.id,
        {"booking_id": str(subject[1]), "amount_cents": amount_cents},
    )
    return payment


async def refund_by_staff(
    session: AsyncSession,
    payment: Payment,
    *,
    amount_cents: int | None,
    reason: str,
    staff: Principal,
) -> Refund:
    """Staff refund a payment (locked by the caller); reception within its limit."""
    if staff.has_role(Role.receptionist):
        await refunds.ensure_within_receptionist_limit(session, payment, amount_cents)
    refund = await refunds.refund_payment(
        session,
        payment,
        amount_cents=amount_cents,
        reason=reason,
        requested_by_user_id=staff.user_id,
    )
    await _audit_payment(
        session,
        "payment.refunded",
        staff.user_id,
        payment.id,
        {"refund_id": str(refund.id), "amount_cents": refund.amount_cents},
    )
    return refund


async def pay_out_tips(
    session: AsyncSession, *, practitioner_id: UUID, until: datetime | None, staff_user_id: UUID
) -> reports.TipsOwed:
    paid = await reports.pay_out_tips(
        session, practitioner_id=practitioner_id, until=until, staff_user_id=staff_user_id
    )
    await record_audit(
        session,
        "tips.paid_out",
        actor_user_id=staff_user_id,
        subject_type="practitioner",
        subject_id=practitioner_id,
        data={"count": paid.count, "amount_cents": paid.amount_cents},
    )
    return paid


async def subject_balance(session: AsyncSession, subject: Subject) -> Balance:
    return await balance(session, *subject)


# --- the client's saved cards ------------------------------------------------------------


async def own_client(session: AsyncSession, principal: Principal) -> UUID:
    own = await clients.client_for_user(session, principal.user_id)
    if own is None:
        raise NotFound("No client record is linked to this account.")
    return own.id


async def _own_card(
    session: AsyncSession, principal: Principal, card_id: UUID, *, removed_too: bool = False
) -> SavedCard:
    client_id = await own_client(session, principal)
    card = await saved_card(session, card_id, lock=True)
    if card is None or card.client_id != client_id:
        raise NotFound("This card does not exist.")
    if card.status == SavedCardStatus.removed and not removed_too:
        raise NotFound("This card does not exist.")
    return card


async def simulate_card_setup(
    session: AsyncSession, principal: Principal, card_id: UUID
) -> SavedCard:
    """Development only: finish a console card setup as Stripe's webhook would."""
    card = await _own_card(session, principal, card_id, removed_too=True)
    if card.provider != "console" or get_settings().app.env == "production":
        raise SimulationNotAvailable()
    await webhooks.process(
        session,
        provider="console",
        event_id=f"{card.id}:setup_succeeded",
        event_type="console.setup_intent.succeeded",
        payload={"saved_card_id": str(card.id)},
        apply=lambda _: webhooks.activate_saved_card(session, card, f"console_pm_{card.id.hex}"),
    )
    return card


async def remove_saved_card(session: AsyncSession, principal: Principal, card_id: UUID) -> None:
    await cards.remove_card(session, await _own_card(session, principal, card_id))
