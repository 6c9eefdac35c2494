from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, Uuid, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.enums import check_in
from app.core.ids import new_id


class CardStatus(StrEnum):
    pending_payment = "pending_payment"  # bought online, not paid yet
    active = "active"  # usable while its balance lasts and it has not expired
    cancelled = "cancelled"
    expired = "expired"


class VatTreatment(StrEnum):
    """CGI 256 ter: a single-purpose voucher (one known VAT rate) is taxed when sold; a
    multi-purpose one when spent. The accounting export reads this from each card."""

    single_purpose = "single_purpose"
    multi_purpose = "multi_purpose"


class GiftCard(Base):
    __tablename__ = "gift_cards"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    code_hash: Mapped[str] = mapped_column(String(64))
    code_hint: Mapped[str] = mapped_column(String(4))  # the last four, for staff and receipts
    # Encrypted with a key derived from SECURITY_SECRET_KEY, only to render the PDF again.
    code_sealed: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    initial_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    service_ids: Mapped[list[UUID]] = mapped_column(
        ARRAY(Uuid), server_default=text("'{}'::uuid[]")
    )
    vat_treatment: Mapped[str] = mapped_column(String(16))
    buyer_client_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("clients.id", ondelete="SET NULL")
    )
    buyer_name: Mapped[str] = mapped_column(String(200))
    buyer_email: Mapped[str | None] = mapped_column(String(320))
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_email: Mapped[str | None] = mapped_column(String(320))
    message: Mapped[str | None] = mapped_column(Text)
    deliver_on: Mapped[date]
    expires_at: Mapped[datetime]
    # use_alter: payments.gift_card_id points back here (the card that paid); the cycle is
    # broken on this side, so payments sort before the cards that point at them.
    payment_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("payments.id", ondelete="SET NULL", use_alter=True)
    )
    sold_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    pdf_key: Mapped[str | None] = mapped_column(String(200))
    expiry_reminded_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    activated_at: Mapped[datetime | None]

    __table_args__ = (
        check_in("status", CardStatus),
        check_in("vat_treatment", VatTreatment),
        CheckConstraint("initial_cents > 0", name="amount_positive"),
        Index("uq_gift_cards_code_hash", "code_hash", unique=True),
        Index("ix_gift_cards_status_expires", "status", "expires_at"),
        Index("ix_gift_cards_buyer", "buyer_client_id"),
        Index("ix_gift_cards_recipient_email", "recipient_email"),
        Index("ix_gift_cards_created", "created_at"),
    )


class EntryKind(StrEnum):
    issue = "issue"  # + the amount sold (a liability until spent)
    redeem = "redeem"  # - spent at the till or at checkout
    refund = "refund"  # + a redemption given back (a visit cancelled)
    expire = "expire"  # - what was left at expiry (other income)
    cancel = "cancel"  # - what was left when the card was cancelled and refunded
    adjust = "adjust"  # ± by a manager, with a reason


class GiftCardEntry(Base):
    """The balance of a card is the sum of its entries: never a number without its history."""

    __tablename__ = "gift_card_entries"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    gift_card_id: Mapped[UUID] = mapped_column(ForeignKey("gift_cards.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(8))
    amount_cents: Mapped[int]
    reason: Mapped[str | None] = mapped_column(Text)
    payment_id: Mapped[UUID | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"))
    booking_id: Mapped[UUID | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    actor_user_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime]

    __table_args__ = (
        check_in("kind", EntryKind),
        CheckConstraint("amount_cents <> 0", name="amount_not_zero"),
        CheckConstraint(
            "(kind IN ('issue', 'refund') AND amount_cents > 0) OR "
            "(kind IN ('redeem', 'expire', 'cancel') AND amount_cents < 0) OR kind = 'adjust'",
            name="sign_matches_kind",
        ),
        Index("ix_gift_card_entries_card_at", "gift_card_id", "at"),
        Index("ix_gift_card_entries_at", "at"),
    )
