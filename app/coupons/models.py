from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, Uuid, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.enums import check_in
from app.core.ids import new_id


class DiscountKind(StrEnum):
    percent = "percent"
    fixed = "fixed"


class Eligibility(StrEnum):
    everyone = "everyone"
    new_clients = "new_clients"  # no completed visit and nothing paid yet
    existing_clients = "existing_clients"


class UseState(StrEnum):
    """A use on a held booking waits for its payment; it is given back when the hold dies."""

    held = "held"  # a booking waiting for its deposit: counts against the limits for now
    used = "used"  # the booking is paid or confirmed (or the order was paid)
    released = "released"  # the hold died: the code is free again


class Coupon(Base):
    __tablename__ = "coupons"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(8))
    percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    amount_cents: Mapped[int | None]
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    max_uses: Mapped[int | None]
    max_uses_per_client: Mapped[int | None]
    eligibility: Mapped[str] = mapped_column(String(20))
    min_amount_cents: Mapped[int] = mapped_column(server_default=text("0"))
    first_purchase_only: Mapped[bool] = mapped_column(server_default=text("false"))
    # Empty lists: the discount applies to every line of that kind.
    service_ids: Mapped[list[UUID]] = mapped_column(ARRAY(Uuid), server_default=text("'{}'"))
    product_ids: Mapped[list[UUID]] = mapped_column(ARRAY(Uuid), server_default=text("'{}'"))
    plan_ids: Mapped[list[UUID]] = mapped_column(ARRAY(Uuid), server_default=text("'{}'"))
    active: Mapped[bool] = mapped_column(server_default=text("true"))
    # A personal code (a loyalty reward, a referral welcome): only this client may use it,
    # once. `origin` names the domain that issued it; salon codes have neither.
    owner_client_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("clients.id", ondelete="RESTRICT")
    )
    origin: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        check_in("kind", DiscountKind),
        CheckConstraint(
            "(owner_client_id IS NULL) = (origin IS NULL) AND "
            "(owner_client_id IS NULL OR (max_uses = 1 AND max_uses_per_client = 1))",
            name="personal_valid",
        ),
        check_in("eligibility", Eligibility),
        CheckConstraint(
            "(kind = 'percent' AND percent > 0 AND percent <= 100 AND amount_cents IS NULL) OR "
            "(kind = 'fixed' AND amount_cents > 0 AND percent IS NULL)",
            name="value_valid",
        ),
        CheckConstraint(
            "(max_uses IS NULL OR max_uses > 0) AND "
            "(max_uses_per_client IS NULL OR max_uses_per_client > 0) AND min_amount_cents >= 0",
            name="limits_valid",
        ),
        CheckConstraint(
            "starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at", name="dates_valid"
        ),
        Index("uq_coupons_code", "code", unique=True),
        Index(
            "ix_coupons_owner",
            "owner_client_id",
            postgresql_where=text("owner_client_id IS NOT NULL"),
        ),
    )


class CouponRedemption(Base):
    """One use of a code: before, discount, after, who, for what."""

    __tablename__ = "coupon_redemptions"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    coupon_id: Mapped[UUID] = mapped_column(ForeignKey("coupons.id", ondelete="RESTRICT"))
    client_id: Mapped[UUID | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"))
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[UUID]
    amount_before_cents: Mapped[int]
    discount_cents: Mapped[int]
    amount_after_cents: Mapped[int]
    redeemed_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(8), server_default=text("'used'"))
    released_at: Mapped[datetime | None]

    __table_args__ = (
        check_in("state", UseState),
        CheckConstraint(
            "discount_cents > 0 AND amount_after_cents >= 0 "
            "AND amount_before_cents = discount_cents + amount_after_cents",
            name="amounts_valid",
        ),
        # A code applies once to the same order, booking or plan.
        Index(
            "uq_coupon_redemptions_subject", "coupon_id", "subject_kind", "subject_id", unique=True
        ),
        Index("ix_coupon_redemptions_coupon_client", "coupon_id", "client_id"),
        Index("ix_coupon_redemptions_at", "at"),
    )
