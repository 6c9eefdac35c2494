"""Referral codes (one per client, readable) and referrals (a friend who came with one: her
welcome, her first paid visit, the referrer's reward or why there was none)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.enums import check_in
from app.core.ids import new_id


class ReferralStatus(StrEnum):
    pending = "pending"  # the friend came with the code: waiting for her first paid visit
    rewarded = "rewarded"  # her first paid visit is in: the referrer got her reward
    refused = "refused"  # no reward, for `reason_code`
    reversed = "reversed"  # the visit was refunded: the reward was taken back (or lost)


class ReferralChannel(StrEnum):
    booking = "booking"  # the code typed when booking on the site
    claim = "claim"  # a signed-in client entered it (POST /referrals/claim)
    signup = "signup"  # sent with her sign-up (the site's account form)


class RefusalReason(StrEnum):
    """Stable codes staff read (docs/referrals.md says what each one checks)."""

    self_referral = "self_referral"
    already_client = "already_client"
    shared_email = "shared_email"
    shared_phone = "shared_phone"
    shared_address = "shared_address"
    shared_card = "shared_card"
    monthly_limit = "monthly_limit"


class ReferralCode(Base):
    """A client's code. The primary one is shown to her; a merge keeps the duplicate's codes
    working for the kept record, not primary."""

    __tablename__ = "referral_codes"

    code: Mapped[str] = mapped_column(String(24), primary_key=True)
    client_id: Mapped[UUID] = mapped_column(ForeignKey("clients.id", ondelete="RESTRICT"))
    is_primary: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_referral_codes_client", "client_id"),
        Index(
            "uq_referral_codes_primary",
            "client_id",
            unique=True,
            postgresql_where=text("is_primary"),
        ),
    )


class Referral(Base):
    __tablename__ = "referrals"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    referrer_client_id: Mapped[UUID] = mapped_column(ForeignKey("clients.id", ondelete="RESTRICT"))
    friend_client_id: Mapped[UUID] = mapped_column(ForeignKey("clients.id", ondelete="RESTRICT"))
    code: Mapped[str] = mapped_column(String(24))
    channel: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12))
    reason_code: Mapped[str | None] = mapped_column(String(24))
    # The friend's booking that carried the code, or her first one after it.
    booking_id: Mapped[UUID | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    signed_up_at: Mapped[datetime]
    booked_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    rewarded_at: Mapped[datetime | None]
    refused_at: Mapped[datetime | None]
    reversed_at: Mapped[datetime | None]
    welcome_coupon_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("coupons.id", ondelete="RESTRICT")
    )
    welcome_value_cents: Mapped[int | None]  # a fixed amount; None for a percentage
    reward_coupon_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("coupons.id", ondelete="RESTRICT")
    )
    reward_value_cents: Mapped[int | None]
    # Reversed after the referrer had already spent her reward: it could not be taken back.
    reward_lost: Mapped[bool] = mapped_column(server_default=text("false"))
    # The visit that converted (the till's order, or a booking paid without the till).
    visit_order_id: Mapped[UUID | None]
    visit_booking_id: Mapped[UUID | None]
    visit_amount_cents: Mapped[int | None]
    refunded_cents: Mapped[int] = mapped_column(server_default=text("0"))
    # What the friend's tickets brought in since she came (credit tickets deducted).
    revenue_cents: Mapped[int] = mapped_column(server_default=text("0"))
    # A merge that found both records referred keeps the duplicate's row out of the unique
    # friend index (the kept record's own referral is the one that counts).
    merged: Mapped[bool] = mapped_column(server_default=text("false"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        check_in("status", ReferralStatus),
        check_in("channel", ReferralChannel),
        CheckConstraint(
            f"reason_code IS NULL OR reason_code IN "
            f"({', '.join(repr(r.value) for r in RefusalReason)})",
            name="reason_valid",
        ),
        CheckConstraint("(status = 'refused') = (reason_code IS NOT NULL)", name="refusal_valid"),
        Index(
            "uq_referrals_friend",
            "friend_client_id",
            unique=True,
            postgresql_where=text("NOT merged"),
        ),
        Index("ix_referrals_referrer", "referrer_client_id", "created_at"),
        Index("ix_referrals_status", "status", "created_at"),
        Index("ix_referrals_visit_order", "visit_order_id"),
    )
