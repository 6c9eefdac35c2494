"""The vocabulary every payment gateway (Stripe, PayPal, SumUp and their console stand-ins)
speaks with the payments domain: what we ask a provider to take, its view of a payment and of
a refund, the statuses both sides share, and the errors a gateway raises.

It lives here, not in payments, because integrations import only core: the payments domain
re-exports these names (`app.payments.models`, `app.payments.errors`) and keeps its own port,
`app.payments.providers.CheckoutProvider`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar
from uuid import UUID

from app.core.errors import AppError


class PaymentStatus(StrEnum):
    pending = "pending"
    requires_action = "requires_action"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"
    refunded = "refunded"
    partially_refunded = "partially_refunded"


class RefundStatus(StrEnum):
    pending = "pending"
    succeeded = "succeeded"
    failed = "failed"


class Provider(StrEnum):
    stripe = "stripe"
    paypal = "paypal"
    sumup = "sumup"
    # Stands in for a provider whose keys are not set (make run, demos): nothing leaves.
    console = "console"
    # Cash, bank transfers and gift cards: recorded by staff, no provider involved.
    none = "none"


class ReaderBusy(AppError):
    status, code, title = 409, "reader_busy", "The card reader is busy with another payment"


class ReaderOffline(AppError):
    status, code, title = 409, "reader_offline", "The card reader is offline"


class ProviderUnavailable(AppError):
    status, code, title = 502, "payment_provider_unavailable", "The payment provider did not answer"


class ProviderRefused(AppError):
    status, code, title = 422, "payment_provider_refused", "The payment provider refused"


@dataclass(frozen=True, slots=True)
class Charge:
    """Money we ask a provider to take."""

    payment_id: UUID
    amount_cents: int
    currency: str
    description: str
    customer_ref: str | None = None
    save_card: bool = False
    return_url: str | None = None  # PayPal: back from approval; SumUp: the result callback
    cancel_url: str | None = None
    reader_ref: str | None = None


@dataclass(frozen=True, slots=True)
class ProviderState:
    """A provider's view of one payment."""

    ref: str
    status: PaymentStatus
    charge_ref: str | None = None
    # A second handle some providers need to look the payment up (SumUp's checkout id).
    session_ref: str | None = None
    amount_cents: int | None = None
    client_secret: str | None = None
    approval_url: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    # The provider's fee on the payment, when it reports it with the payment (PayPal).
    fee_cents: int | None = None


@dataclass(frozen=True, slots=True)
class RefundResult:
    ref: str
    status: RefundStatus
    failure_message: str | None = None


@dataclass(frozen=True, slots=True)
class PairedReader:
    """A card reader paired with the merchant account."""

    ref: str
    name: str
    status: str
    model: str | None
    serial_number: str | None


class PayoutLineKind(StrEnum):
    charge = "charge"  # money taken (a Stripe charge, a SumUp sale)
    refund = "refund"  # money given back (a Stripe refund, a SumUp refund deduction)
    fee = "fee"  # a fee of its own (Stripe's `stripe_fee`): all of it is a fee
    adjustment = "adjustment"  # a dispute, a chargeback, a balance correction
    payout_failure = "payout_failure"  # a failed payout's money paid out again
    other = "other"


@dataclass(frozen=True, slots=True)
class PayoutLineReport:
    """One movement a provider says a payout carries, in our terms: `amount_cents` (the
    movement's gross, signed), `fee_cents` withheld on it, so its net is their difference.
    The references let payments find its own payment or refund."""

    ref: str  # the provider's line (txn_…, a SumUp row id)
    kind: PayoutLineKind
    amount_cents: int
    fee_cents: int
    source_ref: str | None = None  # what it is about: ch_…, re_…, a SumUp transaction code
    payment_ref: str | None = None  # our payment's `provider_ref` (PaymentIntent, client txn)
    charge_ref: str | None = None  # our payment's `provider_charge_ref` (charge, transaction)
    refund_ref: str | None = None  # our refund's `provider_ref`
    description: str | None = None


@dataclass(frozen=True, slots=True)
class PayoutReport:
    """A provider's view of one payout to the salon's bank: `status` paid, failed, or pending
    (not arrived yet: nothing to record). `net_cents` is what the bank receives."""

    ref: str
    status: str
    net_cents: int
    currency: str
    arrival_date: date
    lines: tuple[PayoutLineReport, ...] = ()


T = TypeVar("T")


def required(value: T | None, what: str) -> T:
    """A setting or argument an adapter cannot work without."""
    if value is None or value == "":
        raise RuntimeError(f"{what} is required here")
    return value


def cents_from(value: str | float | int) -> int:
    """Back from a provider's major-unit amount ("12.50", 12.5) to cents, exactly."""
    return int((Decimal(str(value)) * 100).to_integral_value())
