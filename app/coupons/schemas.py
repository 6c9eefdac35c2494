"""The promo code API's request and response bodies."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.openapi import keep_published_name
from app.core.timeutils import AwareInstant, SalonDateTime
from app.coupons import service
from app.coupons.flows import PricedBooking
from app.coupons.models import UseState


class CouponFields(BaseModel):
    description: str | None = Field(default=None, max_length=500)
    kind: Literal["percent", "fixed"]
    percent: Decimal | None = Field(default=None, gt=0, le=100, decimal_places=2)
    amount_cents: int | None = Field(default=None, gt=0, le=10_000_000)
    starts_at: AwareInstant | None = None
    ends_at: AwareInstant | None = None
    max_uses: int | None = Field(default=None, gt=0)
    max_uses_per_client: int | None = Field(default=None, gt=0)
    eligibility: Literal["everyone", "new_clients", "existing_clients"] = "everyone"
    min_amount_cents: int = Field(default=0, ge=0, le=10_000_000)
    first_purchase_only: bool = False
    service_ids: list[UUID] = Field(default_factory=list, max_length=200)
    product_ids: list[UUID] = Field(default_factory=list, max_length=200)
    plan_ids: list[UUID] = Field(default_factory=list, max_length=200)
    active: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> CouponFields:
        if (self.kind == "percent") != (self.percent is not None):
            raise ValueError("a `percent` code has `percent`, a `fixed` one `amount_cents`")
        if (self.kind == "fixed") != (self.amount_cents is not None):
            raise ValueError("a `percent` code has `percent`, a `fixed` one `amount_cents`")
        if self.starts_at and self.ends_at and self.starts_at >= self.ends_at:
            raise ValueError("`starts_at` must come before `ends_at`")
        return self


class CouponIn(CouponFields):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "code": "BIENVENUE10",
                "kind": "percent",
                "percent": "10",
                "eligibility": "new_clients",
                "max_uses_per_client": 1,
            }
        }
    )

    code: str = Field(min_length=3, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")


class CouponOut(CouponFields):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    code: str
    starts_at: SalonDateTime | None = None
    ends_at: SalonDateTime | None = None
    created_at: SalonDateTime


class LineIn(BaseModel):
    kind: Literal["service", "product", "plan"]
    id: UUID
    amount_cents: int = Field(ge=0, le=10_000_000)


class ValidateIn(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    lines: list[LineIn] = Field(min_length=1, max_length=50)
    client_id: UUID | None = Field(default=None, description="Staff only; clients are known")

    def service_lines(self) -> list[service.Line]:
        return [service.Line(line.kind, line.id, line.amount_cents) for line in self.lines]


class VerdictOut(BaseModel):
    valid: bool
    code: str
    reason_code: str | None
    reason: str | None
    amount_cents: int
    discount_cents: int
    amount_after_cents: int

    @classmethod
    def of(cls, typed: str, verdict: service.Verdict) -> VerdictOut:
        return cls(
            valid=verdict.valid,
            code=service.normalize(typed),
            reason_code=verdict.reason_code,
            reason=verdict.reason,
            amount_cents=verdict.amount_cents,
            discount_cents=verdict.discount_cents,
            amount_after_cents=verdict.amount_cents - verdict.discount_cents,
        )


class RedeemIn(ValidateIn):
    subject_kind: Literal["booking", "order", "gift_card", "subscription"]
    subject_id: UUID


class RedemptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    coupon_id: UUID
    client_id: UUID | None
    subject_kind: str
    subject_id: UUID
    amount_before_cents: int
    discount_cents: int
    amount_after_cents: int
    redeemed_by_user_id: UUID | None
    at: SalonDateTime
    state: str = Field(default=UseState.used, description="held, used or released")


class StatsOut(BaseModel):
    uses: int = Field(description="Paid or confirmed uses")
    held: int = Field(default=0, description="Uses on bookings waiting for their deposit")
    clients: int
    discount_cents: int
    amount_after_cents: int
    uses_left: int | None
    last_used_at: SalonDateTime | None

    @classmethod
    def of(cls, stats: service.CouponStats) -> StatsOut:
        totals = stats.totals
        return cls(
            uses=totals.uses,
            held=totals.held,
            clients=totals.clients,
            discount_cents=totals.discount_cents,
            amount_after_cents=totals.amount_after_cents,
            uses_left=stats.uses_left,
            last_used_at=totals.last_used_at,
        )


class BookingCouponIn(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    token: str | None = Field(
        default=None, max_length=1000, description="The booking's `manage_token` (no account)"
    )


class BookingPriceOut(BaseModel):
    booking_id: UUID
    total_cents: int
    discount_cents: int
    deposit_cents: int
    redemption: RedemptionOut

    @classmethod
    def of(cls, priced: PricedBooking) -> BookingPriceOut:
        return cls(
            booking_id=priced.booking.id,
            total_cents=priced.booking.total_cents,
            discount_cents=priced.booking.discount_cents,
            deposit_cents=priced.booking.deposit_cents,
            redemption=RedemptionOut.model_validate(priced.redemption),
        )


keep_published_name("app.coupons.router", RedeemIn)
