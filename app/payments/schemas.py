from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.timeutils import SalonDateTime

Text = Field(default=None, max_length=500)


class DepositIn(BaseModel):
    """Open the deposit payment of a booking held for it."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "booking_id": "0193a3c4-1111-7000-8000-000000000001",
                "method": "stripe",
                "token": "manage token from the booking, when the client has no account",
            }
        }
    )

    booking_id: UUID
    method: Literal["stripe", "paypal"]
    token: str | None = Field(
        default=None,
        max_length=1000,
        description="The booking's `manage_token`, for a client without an account.",
    )
    return_url: str | None = Field(
        default=None, max_length=500, description="PayPal: where the client comes back to."
    )
    cancel_url: str | None = Field(
        default=None, max_length=500, description="PayPal: where she goes if she gives up."
    )


class CheckoutOut(BaseModel):
    payment_id: UUID
    status: str
    method: str
    amount_cents: int
    currency: str
    provider: str
    client_secret: str | None = Field(
        default=None, description="Stripe: for Stripe Elements on the site (never stored)."
    )
    publishable_key: str | None = None
    approval_url: str | None = Field(default=None, description="PayPal: send the client here.")


class CaptureIn(BaseModel):
    token: str | None = Field(default=None, max_length=1000)


SUBJECT_KIND = Field(
    default=None,
    min_length=1,
    max_length=16,
    pattern=r"^[a-z_]+$",
    description="What is paid for, with `subject_id`: `booking` (default), `gift_card`…",
)


class NamesSubject(BaseModel):
    """A request that names what it pays for, one way only: a booking by `booking_id` (the
    older way), or anything payable by `subject_id` with `subject_kind` (`booking` when left
    out). Each request declares the three fields itself, where it wants them and with its
    own descriptions: they are its part of the OpenAPI document; the rule is shared."""

    if TYPE_CHECKING:
        booking_id: UUID | None
        subject_kind: str | None
        subject_id: UUID | None

    @model_validator(mode="after")
    def _one_subject(self) -> Self:
        if (self.booking_id is None) == (self.subject_id is None):
            raise ValueError("name what is paid for with `booking_id` or `subject_id`, not both")
        if self.booking_id is not None and self.subject_kind not in (None, "booking"):
            raise ValueError("`booking_id` names a booking: use `subject_id` with `subject_kind`")
        return self

    def subject(self) -> tuple[str, UUID]:
        """(subject kind, its id), as `app/core/payables.py` names a subject."""
        if self.booking_id is not None:
            return "booking", self.booking_id
        assert self.subject_id is not None  # noqa: S101 - the validator made sure
        return self.subject_kind or "booking", self.subject_id


class InPersonIn(NamesSubject):
    """Take what is left to pay for a booking (or anything payable: `subject_kind` and
    `subject_id` instead of `booking_id`) at the salon, with an optional tip."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "booking_id": "0193a3c4-1111-7000-8000-000000000001",
                "method": "sumup_terminal",
                "reader_id": "0193a3c4-2222-7000-8000-000000000002",
                "tip_cents": 500,
            }
        }
    )

    booking_id: UUID | None = None
    subject_kind: str | None = SUBJECT_KIND
    subject_id: UUID | None = None
    method: Literal["sumup_terminal", "cash", "bank_transfer"]
    amount_cents: int | None = Field(
        default=None, ge=0, le=10_000_000, description="Default: all that is due."
    )
    tip_cents: int = Field(default=0, ge=0, le=1_000_000)
    reader_id: UUID | None = None
    note: str | None = Text


class RefundIn(BaseModel):
    amount_cents: int | None = Field(
        default=None, gt=0, le=10_000_000, description="Default: all that is left."
    )
    reason: str = Field(min_length=1, max_length=500)


class NoShowFeeIn(BaseModel):
    booking_id: UUID
    amount_cents: int = Field(gt=0, le=10_000_000)


class SimulateIn(BaseModel):
    outcome: Literal["succeeded", "failed", "requires_action"] = "succeeded"


class PaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    method: str
    purpose: str
    status: str
    amount_cents: int = Field(description="What pays for the subject (the booking), tip excluded")
    tip_cents: int = Field(description="The tip, on top of `amount_cents`")
    total_cents: int = Field(description="What was taken from the client: amount plus tip")
    refunded_cents: int
    currency: str
    subject_kind: str
    subject_id: UUID
    booking_id: UUID | None
    gift_card_id: UUID | None = Field(default=None, description="The card that paid")
    client_id: UUID | None
    provider: str
    provider_ref: str | None
    provider_charge_ref: str | None
    approval_url: str | None
    reader_id: UUID | None
    failure_code: str | None
    failure_message: str | None
    note: str | None
    taken_by_user_id: UUID | None
    created_at: SalonDateTime
    succeeded_at: SalonDateTime | None

    @model_validator(mode="before")
    @classmethod
    def _tip_apart(cls, data: Any) -> Any:
        # A payment row's amount is what was charged, tip included; the API gives them apart,
        # as the in-person request takes them.
        if isinstance(data, dict):
            return data
        values = {name: getattr(data, name) for name in cls.model_fields if hasattr(data, name)}
        values["total_cents"] = data.amount_cents
        values["amount_cents"] = data.amount_cents - data.tip_cents
        return values


class RefundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    payment_id: UUID
    amount_cents: int
    status: str
    reason: str
    automatic: bool
    provider_ref: str | None
    failure_message: str | None
    requested_by_user_id: UUID | None
    created_at: SalonDateTime
    completed_at: SalonDateTime | None


class PaymentLogOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: SalonDateTime
    kind: str
    from_status: str | None
    to_status: str | None
    source: str
    actor_user_id: UUID | None
    note: str | None


class ProviderEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    provider: str
    event_id: str
    event_type: str
    outcome: str
    payment_id: UUID | None
    note: str | None
    received_at: SalonDateTime


class TipOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    practitioner_id: UUID
    amount_cents: int
    paid_out_at: SalonDateTime | None


class PaymentDetail(PaymentOut):
    refunds: list[RefundOut]
    history: list[PaymentLogOut]
    provider_events: list[ProviderEventOut]
    tips: list[TipOut]


class BalanceOut(BaseModel):
    booking_id: UUID
    total_cents: int
    deposit_cents: int
    paid_cents: int
    in_progress_cents: int
    due_cents: int
    tips_cents: int
    refunded_cents: int = Field(
        default=0, description="Given back by a refund; not owed again (docs/payments.md)."
    )
    kept_cents: int = Field(default=0, description="Paid less refunded.")


class SubjectBalanceOut(BaseModel):
    """The balance of anything payable (a booking, a gift card being bought…)."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "subject_kind": "gift_card",
                "subject_id": "0193a3c4-3333-7000-8000-000000000003",
                "total_cents": 5000,
                "deposit_cents": 0,
                "paid_cents": 3000,
                "in_progress_cents": 0,
                "due_cents": 2000,
                "tips_cents": 0,
                "refunded_cents": 0,
                "kept_cents": 3000,
            }
        }
    )

    subject_kind: str
    subject_id: UUID
    total_cents: int
    deposit_cents: int
    paid_cents: int
    in_progress_cents: int
    due_cents: int
    tips_cents: int
    refunded_cents: int
    kept_cents: int


class MethodTotalsOut(BaseModel):
    method: str
    count: int
    taken_cents: int = Field(description="Taken this day, tips included.")
    tips_cents: int
    refunded_cents: int
    net_cents: int


class DaySummaryOut(BaseModel):
    date: date
    methods: list[MethodTotalsOut]
    cash_drawer_cents: int = Field(description="Cash in less cash given back.")
    sumup_payout_cents: int = Field(description="Card terminal, before SumUp's fees.")
    online_cents: int = Field(description="Stripe and PayPal, before their fees.")


class TipsOwedOut(BaseModel):
    practitioner_id: UUID
    count: int
    amount_cents: int


class TipsPayoutIn(BaseModel):
    practitioner_id: UUID
    until: SalonDateTime | None = None


class ReaderIn(BaseModel):
    pairing_code: str = Field(min_length=4, max_length=32, pattern=r"^[A-Za-z0-9]+$")
    name: str = Field(min_length=1, max_length=100)


class ReaderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    provider: str
    status: str
    model: str | None
    serial_number: str | None
    created_at: SalonDateTime


class CardSetupIn(BaseModel):
    consent: Literal[True] = Field(
        description="The client agrees the salon may charge this card after a no-show or a "
        "late cancellation, as its terms say."
    )


class CardSetupOut(BaseModel):
    id: UUID
    client_secret: str
    publishable_key: str | None


class SavedCardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    status: str
    brand: str | None
    last4: str | None
    consented_at: SalonDateTime


class WebhookAck(BaseModel):
    received: bool = True
    outcome: str
    payment_id: UUID | None = None


def as_detail(payment: Any, refunds: Any, logs: Any, events: Any, tips: Any) -> PaymentDetail:
    base = PaymentOut.model_validate(payment).model_dump()
    return PaymentDetail(
        **base,
        refunds=[RefundOut.model_validate(r) for r in refunds],
        history=[PaymentLogOut.model_validate(log) for log in logs],
        provider_events=[ProviderEventOut.model_validate(e) for e in events],
        tips=[TipOut.model_validate(t) for t in tips],
    )


PAYOUT_EXAMPLE: dict[str, Any] = {
    "id": "0193a3c4-3333-7000-8000-000000000001",
    "provider": "stripe",
    "reference": "po_1QzYHkB7WZ01zgkW",
    "status": "paid",
    "source": "webhook",
    "gross_cents": 12000,
    "fee_cents": 210,
    "fees_booked_cents": 0,
    "net_cents": 11790,
    "currency": "EUR",
    "arrival_date": "2027-03-18",
    "created_at": "2027-03-18T06:02:11+01:00",
    "failed_at": None,
}
PAYOUT_LINE_EXAMPLE: dict[str, Any] = {
    "id": "0193a3c4-3333-7000-8000-000000000002",
    "kind": "charge",
    "provider_ref": "txn_1QzYHkB7WZ01zgkW",
    "source_ref": "ch_3QzYHkB7WZ01zgkW",
    "payment_id": "0193a3c4-1111-7000-8000-000000000009",
    "refund_id": None,
    "amount_cents": 12000,
    "fee_cents": 210,
    "net_cents": 11790,
    "description": None,
    "matched": True,
}


class PayoutIn(BaseModel):
    """A payout a manager reads on the bank statement (a PayPal withdrawal, a provider's
    transfer no webhook reported)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "provider": "paypal",
                "reference": "PAYPAL-2027-03-18",
                "arrived_on": "2027-03-18",
                "net_cents": 11500,
                "fee_cents": 0,
            }
        },
    )

    provider: Literal["stripe", "sumup", "paypal"]
    reference: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^\S(.*\S)?$",
        description="The statement's or the provider's reference: one payout per reference.",
    )
    arrived_on: date = Field(description="The day the money reached the bank (salon date).")
    net_cents: int = Field(gt=0, le=100_000_000_00, description="What reached the bank.")
    fee_cents: int = Field(
        default=0,
        ge=0,
        le=100_000_000_00,
        description="Fees withheld by this payout; PayPal's fees known at capture are not here.",
    )
    note: str | None = Text


class PayoutLineOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": PAYOUT_LINE_EXAMPLE})

    id: UUID
    kind: str
    provider_ref: str
    source_ref: str | None
    payment_id: UUID | None
    refund_id: UUID | None
    amount_cents: int
    fee_cents: int
    net_cents: int
    description: str | None
    matched: bool = Field(description="False: none of our payments or refunds")

    @classmethod
    def of(cls, line: Any) -> PayoutLineOut:
        return cls(
            id=line.id,
            kind=line.kind,
            provider_ref=line.provider_ref,
            source_ref=line.source_ref,
            payment_id=line.payment_id,
            refund_id=line.refund_id,
            amount_cents=line.amount_cents,
            fee_cents=line.fee_cents,
            net_cents=line.net_cents,
            description=line.description,
            matched=line.payment_id is not None,
        )


class PayoutOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": PAYOUT_EXAMPLE})

    id: UUID
    provider: str
    reference: str
    status: str
    source: str
    gross_cents: int = Field(description="What left the provider's clearing account")
    fee_cents: int
    fees_booked_cents: int = Field(description="Of the fees, those booked at capture (PayPal)")
    net_cents: int = Field(description="What reached the bank")
    currency: str
    arrival_date: date
    created_at: SalonDateTime
    failed_at: SalonDateTime | None

    @classmethod
    def fields_of(cls, payout: Any) -> dict[str, Any]:
        return {
            "id": payout.id,
            "provider": payout.provider,
            "reference": payout.provider_payout_id,
            "status": payout.status,
            "source": payout.source,
            "gross_cents": payout.gross_cents,
            "fee_cents": payout.fee_cents,
            "fees_booked_cents": payout.fees_booked_cents,
            "net_cents": payout.net_cents,
            "currency": payout.currency,
            "arrival_date": payout.arrival_date,
            "created_at": payout.created_at,
            "failed_at": payout.failed_at,
        }

    @classmethod
    def of(cls, payout: Any) -> PayoutOut:
        return cls(**cls.fields_of(payout))


class PayoutDetail(PayoutOut):
    model_config = ConfigDict(
        json_schema_extra={"example": PAYOUT_EXAMPLE | {"lines": [PAYOUT_LINE_EXAMPLE]}}
    )

    lines: list[PayoutLineOut]

    @classmethod
    def with_lines(cls, payout: Any, lines: list[Any]) -> PayoutDetail:
        return cls(
            **cls.fields_of(payout),
            lines=[PayoutLineOut.of(line) for line in lines],
        )
