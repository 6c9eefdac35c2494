from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, Uuid, text
from sqlalchemy.dialects.postgresql import ARRAY, TSTZRANGE, ExcludeConstraint, Range
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.enums import check_in
from app.core.ids import new_id


class BookingStatus(StrEnum):
    pending_payment = "pending_payment"
    confirmed = "confirmed"
    checked_in = "checked_in"
    completed = "completed"
    cancelled = "cancelled"
    no_show = "no_show"


LIVE_STATUSES = (
    BookingStatus.pending_payment,
    BookingStatus.confirmed,
    BookingStatus.checked_in,
    BookingStatus.completed,
)


class BookingSource(StrEnum):
    online = "online"
    phone = "phone"
    walk_in = "walk_in"
    staff = "staff"


class BookingLocation(StrEnum):
    salon = "salon"
    home = "home"


class DepositPolicy(StrEnum):
    """Arrhes (the client who cancels loses them) or acompte (both sides are bound)."""

    arrhes = "arrhes"
    acompte = "acompte"


class Booking(Base):
    __tablename__ = "bookings"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[UUID] = mapped_column(ForeignKey("clients.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(16))
    location: Mapped[str] = mapped_column(String(8), server_default=text("'salon'"))
    home_address: Mapped[str | None] = mapped_column(Text)
    home_latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    home_longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    travel_fee_cents: Mapped[int] = mapped_column(server_default=text("0"))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    total_cents: Mapped[int]  # what the client pays: services + travel fee - discount
    discount_cents: Mapped[int] = mapped_column(server_default=text("0"))
    deposit_cents: Mapped[int] = mapped_column(server_default=text("0"))
    deposit_policy: Mapped[str | None] = mapped_column(String(8))
    terms_version: Mapped[str | None] = mapped_column(String(32))
    hold_expires_at: Mapped[datetime | None]
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(String(16))
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    late_cancellation: Mapped[bool | None]
    # The till's order that took the booking over: what is left is paid there. No foreign
    # key: sales_orders references bookings, and bookings never reads sales.
    order_id: Mapped[UUID | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        check_in("status", BookingStatus),
        check_in("source", BookingSource),
        check_in("location", BookingLocation),
        CheckConstraint(
            "deposit_policy IS NULL OR deposit_policy IN ('arrhes', 'acompte')",
            name="deposit_policy_valid",
        ),
        CheckConstraint("start_at < end_at", name="range_valid"),
        CheckConstraint(
            "total_cents >= 0 AND deposit_cents >= 0 AND deposit_cents <= total_cents "
            "AND travel_fee_cents >= 0 AND discount_cents >= 0",
            name="amounts_valid",
        ),
        CheckConstraint(
            "(status = 'pending_payment') = (hold_expires_at IS NOT NULL)", name="hold_valid"
        ),
        CheckConstraint("location = 'salon' OR home_address IS NOT NULL", name="home_has_address"),
        Index("ix_bookings_start_at", "start_at"),
        Index("ix_bookings_client_start", "client_id", "start_at"),
        Index(
            "ix_bookings_hold_expiry",
            "hold_expires_at",
            postgresql_where=text("status = 'pending_payment'"),
        ),
    )


class BookingItem(Base):
    """One service of a booking, with one practitioner, from `start_at` to `end_at`
    (buffers excluded: they live in the allocations)."""

    __tablename__ = "booking_items"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    booking_id: Mapped[UUID] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    service_id: Mapped[UUID] = mapped_column(ForeignKey("services.id", ondelete="RESTRICT"))
    practitioner_id: Mapped[UUID] = mapped_column(
        ForeignKey("practitioners.id", ondelete="RESTRICT")
    )
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    price_cents: Mapped[int]
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    # What pays for this service in advance (`app/core/coverage.py`: "package"…); its price
    # is then left out of the booking's total and deposit.
    covered_by: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        CheckConstraint("start_at < end_at", name="range_valid"),
        Index("ix_booking_items_practitioner_start", "practitioner_id", "start_at"),
    )


class BookingAllocation(Base):
    """A stretch of time a booking takes from one practitioner or one resource.

    PostgreSQL refuses two live allocations of the same practitioner (or resource) whose
    ranges overlap: that is the guarantee against double booking, whatever the application
    does. Ranges are half-open, so back-to-back bookings are fine.
    """

    __tablename__ = "booking_allocations"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    booking_id: Mapped[UUID] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    practitioner_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("practitioners.id", ondelete="RESTRICT")
    )
    resource_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("resources.id", ondelete="RESTRICT")
    )
    during: Mapped[Range[datetime]] = mapped_column(TSTZRANGE)
    live: Mapped[bool] = mapped_column(server_default=text("true"))

    __table_args__ = (
        CheckConstraint("(practitioner_id IS NULL) <> (resource_id IS NULL)", name="one_holder"),
        CheckConstraint("NOT isempty(during)", name="not_empty"),
        ExcludeConstraint(
            ("practitioner_id", "="),
            ("during", "&&"),
            where=text("live AND practitioner_id IS NOT NULL"),
            using="gist",
            name="no_double_booking_practitioner",
        ),
        ExcludeConstraint(
            ("resource_id", "="),
            ("during", "&&"),
            where=text("live AND resource_id IS NOT NULL"),
            using="gist",
            name="no_double_booking_resource",
        ),
    )


class BookingEvent(Base):
    """The history of a booking: creation, every status change, every move."""

    __tablename__ = "booking_events"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    booking_id: Mapped[UUID] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    actor_user_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)


class WaitlistStatus(StrEnum):
    waiting = "waiting"
    offered = "offered"
    booked = "booked"
    expired = "expired"
    cancelled = "cancelled"


class WaitlistEntry(Base):
    """A client waiting for a service between two dates."""

    __tablename__ = "waitlist_entries"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[UUID] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    service_ids: Mapped[list[UUID]] = mapped_column(ARRAY(Uuid))
    practitioner_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("practitioners.id", ondelete="SET NULL")
    )
    date_from: Mapped[date]
    date_to: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), server_default=text("'waiting'"))
    offered_start_at: Mapped[datetime | None]
    offered_practitioner_id: Mapped[UUID | None]
    offered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    __table_args__ = (
        check_in("status", WaitlistStatus),
        CheckConstraint("date_from <= date_to", name="range_valid"),
        Index(
            "ix_waitlist_waiting",
            "date_from",
            "date_to",
            postgresql_where=text("status = 'waiting'"),
        ),
    )


class CalendarFeedToken(Base):
    """A practitioner's private iCalendar link: one live token at most, of which only the
    SHA-256 is kept. Rotating replaces it; deactivating her (or her account) revokes it."""

    __tablename__ = "calendar_feed_tokens"

    practitioner_id: Mapped[UUID] = mapped_column(
        ForeignKey("practitioners.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
