"""The packages domain's tables: the offers the salon sells, the packages clients bought, and
each session's use (reserved by a booking, then used, given back or kept by the policy)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Numeric, String, Text, Uuid
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.enums import check_in
from app.core.ids import new_id


class RefundPolicy(StrEnum):
    """What unused sessions give back (docs/packages.md, "Refunds")."""

    # What was paid less the sessions used at the service's unit price (never below 0): the
    # package's advantage is lost, the common rule of French institutes.
    unit_price = "unit_price"
    # The unused sessions' share of what was paid (price / sessions, largest remainder).
    pro_rata = "pro_rata"
    none = "none"  # not refundable (stated to the client before she buys)


class PackageStatus(StrEnum):
    pending_payment = "pending_payment"  # bought online, not paid yet
    active = "active"
    exhausted = "exhausted"  # every session used
    expired = "expired"  # past its validity: what was left is lost
    refunded = "refunded"  # unused sessions refunded by the policy
    cancelled = "cancelled"  # never paid


class Channel(StrEnum):
    online = "online"
    till = "till"


class UseStatus(StrEnum):
    reserved = "reserved"  # a booking holds the session
    used = "used"  # the visit was completed
    forfeited = "forfeited"  # a late cancellation or a no-show kept it (by the policy)
    released = "released"  # given back to the package


class PackageOffer(Base):
    """A series the salon sells: which services, how many sessions (paid + free), its price
    with VAT (the services' rate), its validity and its policies."""

    __tablename__ = "package_offers"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    service_ids: Mapped[list[UUID]] = mapped_column(ARRAY(Uuid))
    paid_sessions: Mapped[int]
    free_sessions: Mapped[int] = mapped_column(server_default=sql("0"))
    price_cents: Mapped[int] = mapped_column(BigInteger)
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    # One session at the catalog's price when the offer was made: the refund's unit price.
    unit_price_cents: Mapped[int] = mapped_column(BigInteger)
    validity_months: Mapped[int]
    refund_policy: Mapped[str] = mapped_column(String(16))
    late_cancellation_forfeits: Mapped[bool] = mapped_column(server_default=sql("true"))
    no_show_forfeits: Mapped[bool] = mapped_column(server_default=sql("true"))
    sold_online: Mapped[bool] = mapped_column(server_default=sql("true"))
    is_active: Mapped[bool] = mapped_column(server_default=sql("true"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        check_in("refund_policy", RefundPolicy),
        CheckConstraint(
            "paid_sessions >= 1 AND free_sessions >= 0 AND price_cents >= 0"
            " AND unit_price_cents >= 0 AND validity_months >= 1"
            " AND cardinality(service_ids) >= 1",
            name="amounts_valid",
        ),
    )

    @property
    def sessions(self) -> int:
        return self.paid_sessions + self.free_sessions


class Package(Base):
    """A client's series: a copy of the offer's terms when she bought it, and its counters.
    `remaining` never goes below zero (a check constraint, under the row's lock)."""

    __tablename__ = "packages"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    offer_id: Mapped[UUID] = mapped_column(ForeignKey("package_offers.id", ondelete="RESTRICT"))
    client_id: Mapped[UUID] = mapped_column(
        ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200))
    service_ids: Mapped[list[UUID]] = mapped_column(ARRAY(Uuid))
    sessions_total: Mapped[int]
    sessions_used: Mapped[int] = mapped_column(server_default=sql("0"))  # used or forfeited
    sessions_reserved: Mapped[int] = mapped_column(server_default=sql("0"))
    sessions_void: Mapped[int] = mapped_column(server_default=sql("0"))  # expired or refunded
    price_cents: Mapped[int] = mapped_column(BigInteger)  # what was actually paid, VAT incl.
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    unit_price_cents: Mapped[int] = mapped_column(BigInteger)
    refund_policy: Mapped[str] = mapped_column(String(16))
    late_cancellation_forfeits: Mapped[bool]
    no_show_forfeits: Mapped[bool]
    validity_months: Mapped[int]
    # What the books moved from the prepayment to revenue so far (VAT included).
    recognised_cents: Mapped[int] = mapped_column(BigInteger, server_default=sql("0"))
    refunded_cents: Mapped[int] = mapped_column(BigInteger, server_default=sql("0"))
    payment_id: Mapped[UUID | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"))
    order_id: Mapped[UUID | None] = mapped_column(Uuid)  # the till's order that sold it
    # One package per unit of a till line: `ticket:<record>:<line>:<n>`, so a replay adds none.
    source_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    sold_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    activated_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        check_in("status", PackageStatus),
        check_in("channel", Channel),
        CheckConstraint(
            "sessions_used >= 0 AND sessions_reserved >= 0 AND sessions_void >= 0"
            " AND sessions_used + sessions_reserved + sessions_void <= sessions_total",
            name="sessions_valid",
        ),
        CheckConstraint(
            "recognised_cents >= 0 AND refunded_cents >= 0"
            " AND recognised_cents + refunded_cents <= price_cents",
            name="amounts_valid",
        ),
        CheckConstraint("status = 'pending_payment' OR expires_at IS NOT NULL", name="expiry_set"),
        Index(
            "ix_packages_active_expiry",
            "expires_at",
            postgresql_where=sql("status = 'active'"),
        ),
        Index("ix_packages_created", "created_at", "id"),
    )

    @property
    def remaining(self) -> int:
        return (
            self.sessions_total - self.sessions_used - self.sessions_reserved - self.sessions_void
        )


class PackageUse(Base):
    """One session of a package taken by one service of a booking."""

    __tablename__ = "package_uses"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    package_id: Mapped[UUID] = mapped_column(
        ForeignKey("packages.id", ondelete="CASCADE"), index=True
    )
    booking_id: Mapped[UUID] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[UUID] = mapped_column(ForeignKey("services.id", ondelete="RESTRICT"))
    position: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    start_at: Mapped[datetime]  # the visit's
    revenue_cents: Mapped[int] = mapped_column(BigInteger, server_default=sql("0"))
    reserved_at: Mapped[datetime]
    settled_at: Mapped[datetime | None]

    __table_args__ = (
        check_in("status", UseStatus),
        Index(
            "uq_package_uses_live",
            "booking_id",
            "position",
            unique=True,
            postgresql_where=sql("status <> 'released'"),
        ),
    )
