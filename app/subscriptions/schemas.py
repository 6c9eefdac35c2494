"""Request and response bodies of the subscriptions routes. Amounts in integer cents, VAT
included."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from app.subscriptions.models import SubscriptionPlan
from app.subscriptions.plans import PlanTerms

MAX_CENTS = 10_000_000
_PLAN_EXAMPLE: dict[str, Any] = {
    "name": "Abonnement soins",
    "interval": "month",
    "price_cents": 5900,
    "vat_rate": "20.00",
    "allowances": [
        {"service_id": "0193a0b2-7c1e-7d4e-9f00-3c5e6d7f8a9b", "sessions_per_period": 1}
    ],
    "product_discount_percent": 10,
}


class AllowanceIn(BaseModel):
    service_id: UUID
    sessions_per_period: int = Field(ge=1, le=31)


class PlanIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": _PLAN_EXAMPLE})

    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    interval: Literal["month", "year"] = "month"
    price_cents: int = Field(ge=1, le=MAX_CENTS)
    vat_rate: Decimal = Field(default=Decimal("20.00"), ge=0, le=100, decimal_places=2)
    allowances: list[AllowanceIn] = Field(default_factory=list, max_length=20)
    carry_over: bool = False
    max_carry_over: int = Field(default=0, ge=0, le=31)
    product_discount_percent: int = Field(default=0, ge=0, le=100)
    service_discount_percent: int = Field(default=0, ge=0, le=100)
    commitment_months: int = Field(default=0, ge=0, le=36)
    cancellation_notice_days: int = Field(default=0, ge=0, le=90)
    client_may_pause: bool = True
    client_may_cancel: bool = True
    max_pause_months: int = Field(default=3, ge=0, le=12)
    late_cancellation_forfeits: bool = True
    no_show_forfeits: bool = True
    is_active: bool = True

    def terms(self) -> PlanTerms:
        data = self.model_dump(exclude={"allowances"})
        return PlanTerms(**data, allowances=_allowances(self.allowances))


def _allowances(rows: list[AllowanceIn]) -> dict[UUID, int]:
    return {row.service_id: row.sessions_per_period for row in rows}


class PlanPatch(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"price_cents": 6500}})

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    interval: Literal["month", "year"] | None = None
    price_cents: int | None = Field(default=None, ge=1, le=MAX_CENTS)
    vat_rate: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=2)
    allowances: list[AllowanceIn] | None = Field(default=None, max_length=20)
    carry_over: bool | None = None
    max_carry_over: int | None = Field(default=None, ge=0, le=31)
    product_discount_percent: int | None = Field(default=None, ge=0, le=100)
    service_discount_percent: int | None = Field(default=None, ge=0, le=100)
    commitment_months: int | None = Field(default=None, ge=0, le=36)
    cancellation_notice_days: int | None = Field(default=None, ge=0, le=90)
    client_may_pause: bool | None = None
    client_may_cancel: bool | None = None
    max_pause_months: int | None = Field(default=None, ge=0, le=12)
    late_cancellation_forfeits: bool | None = None
    no_show_forfeits: bool | None = None
    is_active: bool | None = None

    def changes(self) -> dict[str, Any]:
        found = {k: v for k, v in self.model_dump(exclude_unset=True).items() if v is not None}
        if self.allowances is not None:
            found["allowances"] = _allowances(self.allowances)
        return found


class AllowanceOut(BaseModel):
    service_id: UUID
    sessions_per_period: int


class PlanOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {**_PLAN_EXAMPLE, "id": "0193…"}})

    id: UUID
    name: str
    description: str | None
    interval: str
    price_cents: int
    monthly_price_cents: int
    vat_rate: Decimal
    allowances: list[AllowanceOut]
    carry_over: bool
    max_carry_over: int
    product_discount_percent: int
    service_discount_percent: int
    commitment_months: int
    cancellation_notice_days: int
    client_may_pause: bool
    client_may_cancel: bool
    max_pause_months: int
    is_active: bool

    @classmethod
    def of(cls, plan: SubscriptionPlan, allowances: dict[UUID, int]) -> PlanOut:
        return cls(
            id=plan.id,
            name=plan.name,
            description=plan.description,
            interval=plan.interval,
            price_cents=plan.price_cents,
            monthly_price_cents=plan.price_cents
            if plan.interval == "month"
            else plan.price_cents // 12,
            vat_rate=plan.vat_rate,
            allowances=[
                AllowanceOut(service_id=k, sessions_per_period=v) for k, v in allowances.items()
            ],
            carry_over=plan.carry_over,
            max_carry_over=plan.max_carry_over,
            product_discount_percent=plan.product_discount_percent,
            service_discount_percent=plan.service_discount_percent,
            commitment_months=plan.commitment_months,
            cancellation_notice_days=plan.cancellation_notice_days,
            client_may_pause=plan.client_may_pause,
            client_may_cancel=plan.client_may_cancel,
            max_pause_months=plan.max_pause_months,
            is_active=plan.is_active,
        )


class SubscribeIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"plan_id": "0193…"}})
    plan_id: UUID


class DeskSubscribeIn(SubscribeIn):
    model_config = ConfigDict(
        json_schema_extra={"example": {"plan_id": "0193…", "client_id": "0193…"}}
    )
    client_id: UUID


class SubscribeOut(BaseModel):
    """What the site needs to confirm the first payment with Stripe.js (3-D Secure)."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "subscription_id": "0193…",
                "status": "incomplete",
                "client_secret": "pi_…_secret_…",
                "publishable_key": "pk_live_…",
            }
        }
    )

    subscription_id: UUID
    status: str
    client_secret: str | None
    publishable_key: str | None
    card_link_sent: bool = False


class EntitlementOut(BaseModel):
    service_id: UUID
    granted: int
    carried_in: int
    reserved: int
    used: int
    remaining: int


class InvoiceOut(BaseModel):
    id: UUID
    stripe_invoice_id: str
    status: str
    billing_reason: str | None
    amount_cents: int
    vat_cents: int
    period_start_at: datetime | None
    period_end_at: datetime | None
    hosted_invoice_url: str | None
    attempt_count: int
    decline_code: str | None
    paid_at: datetime | None


class TimelineOut(BaseModel):
    at: datetime
    kind: str
    detail: dict[str, Any]


class MembershipOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"id": "0193…", "status": "active", "plan_name": "Abonnement soins"}
        }
    )

    id: UUID
    client_id: UUID
    plan_id: UUID
    plan_name: str
    status: str
    channel: str
    current_period_start_at: datetime | None
    current_period_end_at: datetime | None
    commitment_end_date: date | None
    cancel_at_period_end: bool
    pause_resumes_at: datetime | None
    cancelled_at: datetime | None
    price_cents: int
    product_discount_percent: int
    service_discount_percent: int
    next_invoice_at: datetime | None
    next_invoice_cents: int | None
    can_pause: bool
    can_cancel: bool
    cancellable_from: date | None
    entitlements: list[EntitlementOut]
    created_at: datetime


class MembershipDetailOut(MembershipOut):
    invoices: list[InvoiceOut]
    timeline: list[TimelineOut]


class PauseIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"months": 1}})
    months: int = Field(ge=1, le=12)


class ChangePlanIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"plan_id": "0193…"}})
    plan_id: UUID


class CancelIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"at_period_end": True}})
    at_period_end: bool = True
    reason: str | None = Field(default=None, max_length=200)
    override_commitment: bool = Field(default=False, description="Staff only, with a reason")


class ProrationOut(BaseModel):
    behavior: str
    credit_cents: int
    charge_cents: int
    net_cents: int
    billed: str


class ChangePlanOut(BaseModel):
    membership: MembershipOut
    proration: ProrationOut


class CardOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"client_secret": "seti_…_secret_…", "publishable_key": "pk_…"}
        }
    )
    client_secret: str
    publishable_key: str | None


class CardLinkIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"token": "…"}})
    token: str = Field(min_length=10, max_length=2000)


class PlanCount(BaseModel):
    plan_id: UUID
    plan_name: str
    active: int


class ReportOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"mrr_cents": 59000}})

    mrr_cents: int
    members_by_plan: list[PlanCount]
    active_at_start: int
    cancelled_in_period: int
    churn_percent: Decimal
    entitlements_sold: int
    entitlements_used: int
