"""What the gift card routes take and answer (the API is a contract: names and fields stay)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from app.core.clock import utcnow
from app.core.openapi import keep_published_name
from app.core.timeutils import SalonDateTime
from app.giftcards.models import GiftCard, GiftCardEntry
from app.payments.public import NamesSubject

CardState = Literal["active", "spent", "expired", "cancelled", "pending_payment"]


@dataclass(frozen=True, slots=True)
class NewCard:
    """A card to create, as the service takes it (from the site, the desk or a script)."""

    amount_cents: int | None
    service_ids: list[UUID]
    buyer_name: str
    buyer_email: str | None
    buyer_client_id: UUID | None
    recipient_name: str
    recipient_email: str | None
    message: str | None
    deliver_on: date | None


class Person(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None


class CardIn(BaseModel):
    """A card for an amount (10 to 1,000 euros) or for named services (at their price)."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "amount_cents": 8000,
                "buyer": {"name": "Inès Martin", "email": "ines@example.fr"},
                "recipient_name": "Léa",
                "recipient_email": "lea@example.fr",
                "message": "Joyeux anniversaire !",
                "deliver_on": "2027-03-22",
            }
        }
    )

    amount_cents: int | None = Field(default=None, ge=1, le=10_000_000)
    service_ids: list[UUID] = Field(default_factory=list, max_length=10)
    buyer: Person
    recipient_name: str = Field(min_length=1, max_length=200)
    recipient_email: EmailStr | None = None
    message: str | None = Field(default=None, max_length=500)
    deliver_on: date | None = Field(default=None, description="Default: today")

    @model_validator(mode="after")
    def _one_value(self) -> CardIn:
        if (self.amount_cents is None) == (not self.service_ids):
            raise ValueError("give `amount_cents` or `service_ids`, not both")
        if self.deliver_on is not None and self.deliver_on < utcnow().date():
            raise ValueError("`deliver_on` is in the past")
        return self

    def new_card(self, buyer_client_id: UUID | None = None) -> NewCard:
        return NewCard(
            amount_cents=self.amount_cents,
            service_ids=self.service_ids,
            buyer_name=self.buyer.name,
            buyer_email=str(self.buyer.email) if self.buyer.email else None,
            buyer_client_id=buyer_client_id,
            recipient_name=self.recipient_name,
            recipient_email=str(self.recipient_email) if self.recipient_email else None,
            message=self.message,
            deliver_on=self.deliver_on,
        )


class BuyIn(CardIn):
    method: Literal["stripe", "paypal"]
    return_url: str | None = Field(default=None, max_length=500)
    cancel_url: str | None = Field(default=None, max_length=500)


class SellIn(CardIn):
    method: Literal["cash", "bank_transfer", "sumup_terminal"] | None = Field(
        default=None,
        description="`cash` or `bank_transfer`: issued at once; `sumup_terminal` (with "
        "`reader_id`): issued when the reader says it is paid; none: pending, paid through "
        "`POST /api/v1/payments/in-person` and `POST /api/v1/gift-cards/redeem` with "
        "`subject_kind: gift_card` (a split tender).",
    )
    reader_id: UUID | None = None


class CardOut(BaseModel):
    id: UUID
    status: str
    code_hint: str
    initial_cents: int
    balance_cents: int
    service_ids: list[UUID]
    buyer_name: str
    recipient_name: str
    recipient_email: str | None
    deliver_on: date
    expires_at: SalonDateTime
    vat_treatment: str
    created_at: SalonDateTime


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    amount_cents: int
    reason: str | None
    payment_id: UUID | None
    booking_id: UUID | None
    actor_user_id: UUID | None
    at: SalonDateTime


class CardDetail(CardOut):
    ledger: list[EntryOut]


class PurchaseOut(BaseModel):
    gift_card: CardOut
    payment_id: UUID
    client_secret: str | None = None
    publishable_key: str | None = None
    approval_url: str | None = None


class SaleOut(BaseModel):
    gift_card: CardOut
    code: str = Field(description="Shown once, for the desk to hand over; only a hash is kept.")


class CodeIn(BaseModel):
    code: str = Field(min_length=1, max_length=40)


class BalanceOut(BaseModel):
    status: str
    balance_cents: int
    initial_cents: int
    expires_at: SalonDateTime


class RedeemIn(NamesSubject):
    """Spend a card on a booking (`booking_id`) or on anything payable (`subject_kind` and
    `subject_id`: another gift card being bought…)."""

    code: str = Field(min_length=1, max_length=40)
    booking_id: UUID | None = None
    subject_kind: str | None = Field(
        default=None, min_length=1, max_length=16, pattern=r"^[a-z_]+$"
    )
    subject_id: UUID | None = None
    amount_cents: int | None = Field(default=None, gt=0, le=10_000_000)


class RedeemOut(BaseModel):
    gift_card_id: UUID
    payment_id: UUID
    redeemed_cents: int
    balance_cents: int


class OnlineRedeemIn(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    booking_id: UUID
    token: str | None = Field(
        default=None, max_length=1000, description="The booking's `manage_token` (no account)"
    )


class CancelIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)
    refund: bool = Field(default=True, description="Give what is left back to the buyer")


class AdjustIn(BaseModel):
    amount_cents: int = Field(ge=-10_000_000, le=10_000_000)
    reason: str = Field(min_length=1, max_length=500)


class MovementOut(BaseModel):
    kind: str
    vat_treatment: str
    count: int
    amount_cents: int


class LedgerSummaryOut(BaseModel):
    date_from: date
    date_to: date
    outstanding_at_start_cents: int
    movements: list[MovementOut]
    outstanding_at_end_cents: int


def card_out(card: GiftCard, balance: int) -> CardOut:
    return CardOut(
        id=card.id,
        status=card.status,
        code_hint=card.code_hint,
        initial_cents=card.initial_cents,
        balance_cents=balance,
        service_ids=list(card.service_ids),
        buyer_name=card.buyer_name,
        recipient_name=card.recipient_name,
        recipient_email=card.recipient_email,
        deliver_on=card.deliver_on,
        expires_at=card.expires_at,
        vat_treatment=card.vat_treatment,
        created_at=card.created_at,
    )


def card_detail(card: GiftCard, ledger: list[GiftCardEntry]) -> CardDetail:
    out = card_out(card, sum(e.amount_cents for e in ledger))
    return CardDetail(**out.model_dump(), ledger=[EntryOut.model_validate(e) for e in ledger])


keep_published_name("app.giftcards.router", BalanceOut, CancelIn, RedeemIn)
