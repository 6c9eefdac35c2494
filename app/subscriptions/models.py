"""The subscriptions domain's tables: plans and what they include, the clients' memberships
(followed through Stripe Billing), their invoices, the allowance of each period and its uses,
and one timeline per membership (`subscription_events`) written by the domain and by the
dunning."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.enums import check_in
from app.core.ids import new_id


class Interval(StrEnum):
    month = "month"
    year = "year"


class SubscriptionStatus(StrEnum):
    incomplete = "incomplete"  # created, first invoice not paid yet
    active = "active"
    past_due = "past_due"  # a renewal failed; the dunning follows it
    suspended = "suspended"  # the dunning stopped the entitlements
    paused = "paused"  # paused by the client or staff: no charge, no entitlement
    cancelled = "cancelled"


class Channel(StrEnum):
    online = "online"
    desk = "desk"


class InvoiceStatus(StrEnum):
    open = "open"
    paid = "paid"
    failed = "failed"
    void = "void"


class UseStatus(StrEnum):
    reserved = "reserved"  # a booking holds one session of the period
    used = "used"  # the visit was completed
    forfeited = "forfeited"  # a late cancellation or a no-show kept it
    released = "released"  # given back to the period


class SubscriptionPlan(Base):
    """What the salon sells: a price per month or year (VAT included), the services it
    includes per period, its discounts, its commitment and its cancellation rules."""

    __tablename__ = "subscription_plans"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    interval: Mapped[str] = mapped_column(String(8))
    price_cents: Mapped[int] = mapped_column(BigInteger)
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    # Unused sessions of a period roll into the next one, at most `max_carry_over` per service.
    carry_over: Mapped[bool] = mapped_column(server_default=sql("false"))
    max_carry_over: Mapped[int] = mapped_column(server_default=sql("0"))
    product_discount_percent: Mapped[int] = mapped_column(server_default=sql("0"))
    service_discount_percent: Mapped[int] = mapped_column(server_default=sql("0"))
    commitment_months: Mapped[int] = mapped_column(server_default=sql("0"))  # 0: none
    cancellation_notice_days: Mapped[int] = mapped_column(server_default=sql("0"))
    client_may_pause: Mapped[bool] = mapped_column(server_default=sql("true"))
    client_may_cancel: Mapped[bool] = mapped_column(server_default=sql("true"))
    max_pause_months: Mapped[int] = mapped_column(server_default=sql("3"))
    # Booking policy of an included session (as packages): what a late cancellation or a
    # no-show does to the session it reserved.
    late_cancellation_forfeits: Mapped[bool] = mapped_column(server_default=sql("true"))
    no_show_forfeits: Mapped[bool] = mapped_column(server_default=sql("true"))
    is_active: Mapped[bool] = mapped_column(server_default=sql("true"))
    stripe_product_id: Mapped[str | None] = mapped_column(String(64))
    stripe_price_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        check_in("interval", Interval),
        CheckConstraint(
            "price_cents > 0 AND max_carry_over >= 0 AND commitment_months >= 0"
            " AND cancellation_notice_days >= 0 AND max_pause_months >= 0"
            " AND product_discount_percent BETWEEN 0 AND 100"
            " AND service_discount_percent BETWEEN 0 AND 100",
            name="terms_valid",
        ),
        Index("ix_subscription_plans_created", "created_at", "id"),
    )


class PlanAllowance(Base):
    """A service a plan includes, and how many sessions per period."""

    __tablename__ = "subscription_plan_allowances"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    plan_id: Mapped[UUID] = mapped_column(
        ForeignKey("subscription_plans.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[UUID] = mapped_column(ForeignKey("services.id", ondelete="RESTRICT"))
    sessions_per_period: Mapped[int]

    __table_args__ = (
        CheckConstraint("sessions_per_period >= 1", name="sessions_valid"),
        Index("uq_subscription_plan_allowances", "plan_id", "service_id", unique=True),
    )


class Subscription(Base):
    """A client's membership of a plan, mirrored from its Stripe subscription.

    `stripe_subscription_created` / `stripe_event_created` hold the `created` (Unix seconds) of
    the last Stripe event applied to this row, so an older event never rolls it back."""

    __tablename__ = "subscriptions"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[UUID] = mapped_column(
        ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    plan_id: Mapped[UUID] = mapped_column(ForeignKey("subscription_plans.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(8))
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(64))
    current_period_start_at: Mapped[datetime | None]
    current_period_end_at: Mapped[datetime | None]
    commitment_end_date: Mapped[date | None]
    cancel_at_period_end: Mapped[bool] = mapped_column(server_default=sql("false"))
    pause_resumes_at: Mapped[datetime | None]  # paused until then (Stripe's resumes_at)
    paused_at: Mapped[datetime | None]
    suspended_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    stripe_event_created: Mapped[int] = mapped_column(BigInteger, server_default=sql("0"))
    created_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        check_in("status", SubscriptionStatus),
        check_in("channel", Channel),
        Index("ix_subscriptions_created", "created_at", "id"),
        Index(
            "uq_subscriptions_live_per_client_plan",
            "client_id",
            "plan_id",
            unique=True,
            postgresql_where=sql("status NOT IN ('cancelled', 'incomplete')"),
        ),
    )


class SubscriptionInvoice(Base):
    """A Stripe invoice of a membership (the first one, each renewal, a proration)."""

    __tablename__ = "subscription_invoices"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    subscription_id: Mapped[UUID] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True
    )
    stripe_invoice_id: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(8))
    billing_reason: Mapped[str | None] = mapped_column(String(40))
    amount_cents: Mapped[int] = mapped_column(BigInteger)  # VAT included
    vat_cents: Mapped[int] = mapped_column(BigInteger, server_default=sql("0"))
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    currency: Mapped[str] = mapped_column(String(3), server_default=sql("'EUR'"))
    period_start_at: Mapped[datetime | None]
    period_end_at: Mapped[datetime | None]
    hosted_invoice_url: Mapped[str | None] = mapped_column(Text)
    attempt_count: Mapped[int] = mapped_column(server_default=sql("0"))
    decline_code: Mapped[str | None] = mapped_column(String(64))
    next_payment_attempt_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    stripe_event_created: Mapped[int] = mapped_column(BigInteger, server_default=sql("0"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (check_in("status", InvoiceStatus),)


class PeriodAllowance(Base):
    """The sessions of one service a membership may use in one period: granted by the plan,
    plus those carried over from the previous period."""

    __tablename__ = "subscription_allowances"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    subscription_id: Mapped[UUID] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[UUID] = mapped_column(ForeignKey("services.id", ondelete="RESTRICT"))
    invoice_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("subscription_invoices.id", ondelete="SET NULL")
    )
    period_start_at: Mapped[datetime]
    period_end_at: Mapped[datetime]
    granted: Mapped[int]
    carried_in: Mapped[int] = mapped_column(server_default=sql("0"))
    reserved: Mapped[int] = mapped_column(server_default=sql("0"))
    used: Mapped[int] = mapped_column(server_default=sql("0"))  # used or forfeited
    returned: Mapped[int] = mapped_column(server_default=sql("0"))  # given back (counter only)
    created_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(
            "granted >= 0 AND carried_in >= 0 AND reserved >= 0 AND used >= 0 AND returned >= 0"
            " AND reserved + used <= granted + carried_in",
            name="sessions_valid",
        ),
        Index(
            "uq_subscription_allowances_period",
            "subscription_id",
            "service_id",
            "period_start_at",
            unique=True,
        ),
    )

    @property
    def remaining(self) -> int:
        return self.granted + self.carried_in - self.reserved - self.used


class AllowanceUse(Base):
    """One session of a period taken by one service of a booking."""

    __tablename__ = "subscription_allowance_uses"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    allowance_id: Mapped[UUID] = mapped_column(
        ForeignKey("subscription_allowances.id", ondelete="CASCADE"), index=True
    )
    booking_id: Mapped[UUID] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[UUID] = mapped_column(ForeignKey("services.id", ondelete="RESTRICT"))
    position: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    start_at: Mapped[datetime]
    reserved_at: Mapped[datetime]
    settled_at: Mapped[datetime | None]

    __table_args__ = (
        check_in("status", UseStatus),
        Index(
            "uq_subscription_allowance_uses_live",
            "booking_id",
            "position",
            unique=True,
            postgresql_where=sql("status <> 'released'"),
        ),
    )


class SubscriptionEvent(Base):
    """The membership's timeline for staff: what Stripe said, what the client or staff did,
    what the dunning did. `dedupe_key` makes a step recorded once, however often it runs."""

    __tablename__ = "subscription_events"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    subscription_id: Mapped[UUID] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE")
    )
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=sql("'{}'::jsonb"))
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)

    __table_args__ = (Index("ix_subscription_events_timeline", "subscription_id", "at", "id"),)
