from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.enums import check_in
from app.core.ids import new_id

# The statuses and providers a gateway reports are shared with app/integrations/.
from app.integrations.gateway import PaymentStatus as PaymentStatus
from app.integrations.gateway import PayoutLineKind as PayoutLineKind
from app.integrations.gateway import Provider as Provider
from app.integrations.gateway import RefundStatus as RefundStatus


class PaymentMethod(StrEnum):
    stripe = "stripe"
    paypal = "paypal"
    sumup_terminal = "sumup_terminal"
    cash = "cash"
    gift_card = "gift_card"
    bank_transfer = "bank_transfer"


ONLINE_METHODS = frozenset({PaymentMethod.stripe, PaymentMethod.paypal})
STAFF_RECORDED_METHODS = frozenset({PaymentMethod.cash, PaymentMethod.bank_transfer})


class PaymentPurpose(StrEnum):
    deposit = "deposit"
    balance = "balance"
    full = "full"
    tip = "tip"
    # Charged on a saved card after a no-show or a late cancellation (taxable, unlike arrhes).
    no_show_fee = "no_show_fee"


# Statuses in which the money was taken (some of it may have gone back since).
TAKEN = frozenset(
    {PaymentStatus.succeeded, PaymentStatus.partially_refunded, PaymentStatus.refunded}
)
OPEN = frozenset({PaymentStatus.pending, PaymentStatus.requires_action})


class Payment(Base):
    """Money taken (or being taken) for something (`subject_kind`, `subject_id`): a booking, a
    gift card, whatever kind is registered in `app/core/payables.py` (the registry is the list
    of kinds, checked in code: no check constraint)."""

    __tablename__ = "payments"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    method: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int]
    # The part of `amount_cents` that is a tip for the practitioners (see `tips`).
    tip_cents: Mapped[int] = mapped_column(server_default=text("0"))
    refunded_cents: Mapped[int] = mapped_column(server_default=text("0"))
    currency: Mapped[str] = mapped_column(String(3))
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[UUID]
    # Set with `subject_kind` "booking" (older rows, filters and joins read it).
    booking_id: Mapped[UUID | None] = mapped_column(ForeignKey("bookings.id", ondelete="RESTRICT"))
    # The card that paid, for method `gift_card` (and only then).
    gift_card_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("gift_cards.id", ondelete="RESTRICT")
    )
    client_id: Mapped[UUID | None] = mapped_column(ForeignKey("clients.id", ondelete="RESTRICT"))
    provider: Mapped[str] = mapped_column(String(16))
    # Stripe PaymentIntent, PayPal order, SumUp reader checkout (client transaction id).
    provider_ref: Mapped[str | None] = mapped_column(String(100))
    # Stripe charge, PayPal capture, SumUp transaction: what refunds point at.
    provider_charge_ref: Mapped[str | None] = mapped_column(String(100))
    # A second handle some providers need to look the payment up (SumUp's checkout id).
    provider_session_ref: Mapped[str | None] = mapped_column(String(100))
    approval_url: Mapped[str | None] = mapped_column(Text)
    reader_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("terminal_readers.id", ondelete="SET NULL")
    )
    failure_code: Mapped[str | None] = mapped_column(String(100))
    failure_message: Mapped[str | None] = mapped_column(Text)
    # The provider's fee on this payment when it reports it with the payment (PayPal's
    # `seller_receivable_breakdown.paypal_fee`): set once, when the books are told of it.
    fee_cents: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    taken_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    succeeded_at: Mapped[datetime | None]

    __table_args__ = (
        check_in("method", PaymentMethod),
        check_in("purpose", PaymentPurpose),
        check_in("status", PaymentStatus),
        check_in("provider", Provider),
        CheckConstraint(
            "(method = 'gift_card') = (gift_card_id IS NOT NULL)", name="gift_card_method"
        ),
        CheckConstraint(
            "amount_cents > 0 AND tip_cents >= 0 AND tip_cents <= amount_cents "
            "AND refunded_cents >= 0 AND refunded_cents <= amount_cents",
            name="amounts_valid",
        ),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_valid"),
        Index(
            "uq_payments_provider_ref",
            "provider",
            "provider_ref",
            unique=True,
            postgresql_where=text("provider_ref IS NOT NULL"),
        ),
        # One deposit checkout in progress per subject and method: a double click cannot
        # open two.
        Index(
            "uq_payments_open_deposit",
            "subject_kind",
            "subject_id",
            "method",
            unique=True,
            postgresql_where=text(
                "purpose = 'deposit' AND status IN ('pending', 'requires_action')"
            ),
        ),
        Index("ix_payments_booking", "booking_id"),
        Index("ix_payments_gift_card", "gift_card_id"),
        Index("ix_payments_subject", "subject_kind", "subject_id"),
        Index("ix_payments_client_created", "client_id", "created_at"),
        Index("ix_payments_created", "created_at"),
        Index("ix_payments_succeeded", "succeeded_at"),
        Index(
            "ix_payments_open_terminal",
            "created_at",
            postgresql_where=text(
                "method = 'sumup_terminal' AND status IN ('pending', 'requires_action')"
            ),
        ),
    )


class Refund(Base):
    """Money given back on a payment, in full or in part."""

    __tablename__ = "refunds"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    payment_id: Mapped[UUID] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"))
    amount_cents: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    # Set by the rules (a cancellation in time, a payment that arrived too late), not staff.
    automatic: Mapped[bool] = mapped_column(server_default=text("false"))
    provider_ref: Mapped[str | None] = mapped_column(String(100))
    failure_message: Mapped[str | None] = mapped_column(Text)
    requested_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]

    __table_args__ = (
        check_in("status", RefundStatus),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        Index("ix_refunds_payment", "payment_id"),
        Index("ix_refunds_created", "created_at"),
        Index(
            "uq_refunds_provider_ref",
            "provider_ref",
            unique=True,
            postgresql_where=text("provider_ref IS NOT NULL"),
        ),
    )


class PaymentLog(Base):
    """Everything that happened to a payment, whoever caused it (API, webhook, poll, staff)."""

    __tablename__ = "payment_logs"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    payment_id: Mapped[UUID] = mapped_column(
        ForeignKey("payments.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(16))
    provider_event_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("provider_events.id", ondelete="SET NULL")
    )
    actor_user_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)


class EventOutcome(StrEnum):
    applied = "applied"
    ignored = "ignored"  # a type we do not act on, or a state we already passed
    unmatched = "unmatched"  # no payment of ours: stored and reported, never retried


class ProviderEvent(Base):
    """Every webhook a provider sent us, once: the unique (provider, event id) turns a replay
    or a concurrent duplicate into a no-op."""

    __tablename__ = "provider_events"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    provider: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    outcome: Mapped[str] = mapped_column(String(16))
    payment_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("payments.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime]

    __table_args__ = (
        check_in("outcome", EventOutcome),
        Index("uq_provider_events_event", "provider", "event_id", unique=True),
        Index("ix_provider_events_received", "received_at"),
    )


class Tip(Base):
    """A practitioner's share of a tip, until it is paid out to her."""

    __tablename__ = "tips"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    payment_id: Mapped[UUID] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"))
    practitioner_id: Mapped[UUID] = mapped_column(
        ForeignKey("practitioners.id", ondelete="RESTRICT")
    )
    amount_cents: Mapped[int]
    created_at: Mapped[datetime]
    paid_out_at: Mapped[datetime | None]
    paid_out_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        Index("ix_tips_payment", "payment_id"),
        Index("ix_tips_practitioner_created", "practitioner_id", "created_at"),
    )


class TerminalReader(Base):
    """A SumUp card reader paired with the salon's account."""

    __tablename__ = "terminal_readers"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    provider: Mapped[str] = mapped_column(String(16))
    provider_reader_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(32))
    serial_number: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]

    __table_args__ = (
        Index(
            "uq_terminal_readers_provider_ref",
            "provider",
            "provider_reader_id",
            unique=True,
            postgresql_where=text("removed_at IS NULL"),
        ),
    )


class ProviderCustomer(Base):
    """The provider's customer for a returning client (a Stripe customer keeps her cards)."""

    __tablename__ = "provider_customers"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[UUID] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(16))
    customer_ref: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]

    __table_args__ = (
        Index("uq_provider_customers_client", "client_id", "provider", unique=True),
        Index("uq_provider_customers_ref", "provider", "customer_ref", unique=True),
    )


class SavedCardStatus(StrEnum):
    pending = "pending"  # the SetupIntent is waiting for the client
    active = "active"
    removed = "removed"


class SavedCard(Base):
    """A card a client saved (Stripe SetupIntent) and agreed the salon may charge later for
    a no-show or a late cancellation, under the terms she accepted."""

    __tablename__ = "saved_cards"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[UUID] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(16))
    setup_ref: Mapped[str] = mapped_column(String(100))
    payment_method_ref: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))
    brand: Mapped[str | None] = mapped_column(String(32))
    last4: Mapped[str | None] = mapped_column(String(4))
    # Stripe's `card.fingerprint`: the same card number gives the same value (fraud checks).
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    consent_text: Mapped[str] = mapped_column(Text)
    consented_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        check_in("status", SavedCardStatus),
        Index("uq_saved_cards_setup", "provider", "setup_ref", unique=True),
        Index("ix_saved_cards_client", "client_id"),
    )


class PayoutStatus(StrEnum):
    paid = "paid"  # the money reached the salon's bank
    failed = "failed"  # the bank sent it back: the provider holds it again


class PayoutSource(StrEnum):
    webhook = "webhook"  # Stripe's payout.paid / payout.failed
    sync = "sync"  # SumUp's payouts list, read by the daily task or the CLI
    staff = "staff"  # a manager read it on the bank statement (a PayPal withdrawal)


class PayoutProvider(StrEnum):
    """The providers that hold the salon's money (a clearing account) until they pay out."""

    stripe = "stripe"
    sumup = "sumup"
    paypal = "paypal"


class Payout(Base):
    """Money a provider sent to the salon's bank (docs/payments.md, "Payouts"): once per
    provider reference, whoever tells us (a webhook twice, a sync run twice). `net_cents`
    reached the bank, `fee_cents` were withheld (gross = net + fee); `fees_booked_cents` of
    those fees the books already had (PayPal's, known at capture), so they are not booked
    again."""

    __tablename__ = "payouts"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    provider: Mapped[str] = mapped_column(String(16))
    provider_payout_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    gross_cents: Mapped[int] = mapped_column(BigInteger)
    fee_cents: Mapped[int] = mapped_column(BigInteger)
    net_cents: Mapped[int] = mapped_column(BigInteger)
    fees_booked_cents: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    currency: Mapped[str] = mapped_column(String(3))
    arrival_date: Mapped[date]
    recorded_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    failed_at: Mapped[datetime | None]

    __table_args__ = (
        check_in("provider", PayoutProvider),
        check_in("status", PayoutStatus),
        check_in("source", PayoutSource),
        CheckConstraint("gross_cents = net_cents + fee_cents", name="amounts_add_up"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_valid"),
        Index("uq_payouts_provider_ref", "provider", "provider_payout_id", unique=True),
        Index("ix_payouts_arrival", "arrival_date"),
    )


class PayoutLine(Base):
    """One movement a payout carries (a Stripe balance transaction, a SumUp payout row): our
    payment or refund when its provider reference is ours, else kept and flagged."""

    __tablename__ = "payout_lines"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    payout_id: Mapped[UUID] = mapped_column(ForeignKey("payouts.id", ondelete="CASCADE"))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    # The provider's own line (txn_…, a SumUp row id) and what it is about (ch_…, re_…, a
    # SumUp transaction code).
    provider_ref: Mapped[str] = mapped_column(String(100))
    source_ref: Mapped[str | None] = mapped_column(String(100))
    payment_id: Mapped[UUID | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"))
    refund_id: Mapped[UUID | None] = mapped_column(ForeignKey("refunds.id", ondelete="SET NULL"))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    fee_cents: Mapped[int] = mapped_column(BigInteger)
    net_cents: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        check_in("kind", PayoutLineKind),
        CheckConstraint("net_cents = amount_cents - fee_cents", name="amounts_add_up"),
        Index("uq_payout_lines_position", "payout_id", "position", unique=True),
        Index("ix_payout_lines_payment", "payment_id"),
    )
