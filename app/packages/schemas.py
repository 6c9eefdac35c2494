"""Request and response bodies of the packages routes. Amounts in integer cents, VAT
included."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from app.core.timeutils import SalonDateTime
from app.packages.models import Package, PackageOffer, PackageUse
from app.packages.service import OfferData

MAX_CENTS = 10_000_000


class OfferIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "name": "10 UV + 1 offerte",
                "service_ids": ["0193a0b2-7c1e-7d4e-9f00-3c5e6d7f8a9b"],
                "paid_sessions": 10,
                "free_sessions": 1,
                "price_cents": 15000,
                "validity_months": 12,
                "refund_policy": "unit_price",
            }
        }
    )

    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    service_ids: list[UUID] = Field(min_length=1, max_length=20)
    paid_sessions: int = Field(ge=1, le=100)
    free_sessions: int = Field(default=0, ge=0, le=100)
    price_cents: int = Field(ge=0, le=MAX_CENTS)
    validity_months: int | None = Field(
        default=None, ge=1, le=60, description="Default PACKAGES_DEFAULT_VALIDITY_MONTHS"
    )
    refund_policy: Literal["unit_price", "pro_rata", "none"] | None = Field(
        default=None, description="Default PACKAGES_DEFAULT_REFUND_POLICY"
    )
    late_cancellation_forfeits: bool = Field(
        default=True, description="A late cancellation by the client uses the session"
    )
    no_show_forfeits: bool = Field(default=True, description="A no-show uses the session")
    sold_online: bool = True
    is_active: bool = True

    def data(self) -> OfferData:
        return OfferData(
            name=self.name,
            description=self.description,
            service_ids=self.service_ids,
            paid_sessions=self.paid_sessions,
            free_sessions=self.free_sessions,
            price_cents=self.price_cents,
            validity_months=self.validity_months,
            refund_policy=self.refund_policy,
            late_cancellation_forfeits=self.late_cancellation_forfeits,
            no_show_forfeits=self.no_show_forfeits,
            sold_online=self.sold_online,
            is_active=self.is_active,
        )


class OfferOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    description: str | None
    service_ids: list[UUID]
    paid_sessions: int
    free_sessions: int
    sessions: int
    price_cents: int
    vat_rate: Decimal
    unit_price_cents: int = Field(description="A session at the catalog's price (refunds)")
    validity_months: int
    refund_policy: str
    late_cancellation_forfeits: bool
    no_show_forfeits: bool
    sold_online: bool
    is_active: bool

    @classmethod
    def of(cls, offer: PackageOffer) -> OfferOut:
        return cls.model_validate(offer)


class BuyIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"offer_id": "0193a0b2-7c1e-7d4e-9f00-3c5e6d7f8a9b", "method": "stripe"}
        }
    )

    offer_id: UUID
    method: Literal["stripe", "paypal"] = "stripe"
    return_url: HttpUrl | None = None
    cancel_url: HttpUrl | None = None


class UseOut(BaseModel):
    booking_id: UUID
    service_id: UUID
    status: str = Field(description="reserved, used, forfeited or released")
    start: SalonDateTime
    settled_at: SalonDateTime | None

    @classmethod
    def of(cls, use: PackageUse) -> UseOut:
        return cls(
            booking_id=use.booking_id,
            service_id=use.service_id,
            status=use.status,
            start=use.start_at,
            settled_at=use.settled_at,
        )


class PackageOut(BaseModel):
    id: UUID
    offer_id: UUID
    client_id: UUID
    name: str
    status: str
    channel: str
    service_ids: list[UUID]
    sessions_total: int
    sessions_used: int = Field(description="Used at a visit or kept by the policy")
    sessions_reserved: int = Field(description="Booked, not yet done")
    sessions_void: int = Field(description="Lost at expiry or refunded")
    remaining: int = Field(description="Left to book")
    price_cents: int
    vat_rate: Decimal
    refund_policy: str
    refunded_cents: int
    late_cancellation_forfeits: bool
    no_show_forfeits: bool
    activated_at: SalonDateTime | None
    expires_at: SalonDateTime | None
    created_at: datetime
    history: list[UseOut] | None = Field(default=None, description="Each session's use")

    @classmethod
    def of(cls, package: Package, uses: list[PackageUse] | None = None) -> PackageOut:
        return cls(
            id=package.id,
            offer_id=package.offer_id,
            client_id=package.client_id,
            name=package.name,
            status=package.status,
            channel=package.channel,
            service_ids=package.service_ids,
            sessions_total=package.sessions_total,
            sessions_used=package.sessions_used,
            sessions_reserved=package.sessions_reserved,
            sessions_void=package.sessions_void,
            remaining=package.remaining,
            price_cents=package.price_cents,
            vat_rate=package.vat_rate,
            refund_policy=package.refund_policy,
            refunded_cents=package.refunded_cents,
            late_cancellation_forfeits=package.late_cancellation_forfeits,
            no_show_forfeits=package.no_show_forfeits,
            activated_at=package.activated_at,
            expires_at=package.expires_at,
            created_at=package.created_at,
            history=None if uses is None else [UseOut.of(u) for u in uses],
        )


class PurchaseOut(BaseModel):
    package: PackageOut
    payment_id: UUID
    client_secret: str | None
    publishable_key: str | None
    approval_url: str | None


class RefundIn(BaseModel):
    reason: str = Field(min_length=1, max_length=200)


class RefundQuoteOut(BaseModel):
    package_id: UUID
    unused_sessions: int
    refund_cents: int = Field(description="What the policy gives back")
    refund_policy: str


class RefundOut(RefundQuoteOut):
    refund_id: UUID | None
    payment_id: UUID | None
    package: PackageOut
