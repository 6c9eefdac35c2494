from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from uuid import UUID

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.ids import new_id
from app.core.weekly import weekly_interval_checks


class OpeningHours(Base):
    """One interval of a weekday (0 = Monday) when the salon is open, in local time."""

    __tablename__ = "opening_hours"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    weekday: Mapped[int]
    start_time: Mapped[time]
    end_time: Mapped[time]

    __table_args__ = weekly_interval_checks()


class Closure(Base):
    """Days the salon is closed (holidays, works), whatever the weekly hours say."""

    __tablename__ = "closures"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    start_date: Mapped[date]
    end_date: Mapped[date]
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]

    __table_args__ = (CheckConstraint("start_date <= end_date", name="range_valid"),)


class SpecialOpening(Base):
    """Exceptional hours for one date (a Sunday before Christmas); they replace the weekly
    opening hours of that date."""

    __tablename__ = "special_openings"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    on_date: Mapped[date] = mapped_column(index=True)
    start_time: Mapped[time]
    end_time: Mapped[time]
    reason: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (CheckConstraint("start_time < end_time", name="interval_valid"),)


class Block(Base):
    """Time a practitioner is kept free of bookings (training, a long phone call)."""

    __tablename__ = "blocks"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    practitioner_id: Mapped[UUID] = mapped_column(
        ForeignKey("practitioners.id", ondelete="CASCADE")
    )
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(String(200))
    created_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint("start_at < end_at", name="range_valid"),
        Index("ix_blocks_practitioner_range", "practitioner_id", "start_at", "end_at"),
    )


class BookingRules(Base):
    """The salon's booking rules: a single row (id = 1)."""

    __tablename__ = "booking_rules"

    id: Mapped[int] = mapped_column(primary_key=True, server_default=text("1"))
    slot_interval_minutes: Mapped[int] = mapped_column(server_default=text("15"))
    min_lead_time_minutes: Mapped[int] = mapped_column(server_default=text("120"))
    max_advance_days: Mapped[int] = mapped_column(server_default=text("90"))
    hold_minutes: Mapped[int] = mapped_column(server_default=text("15"))
    cancellation_notice_hours: Mapped[int] = mapped_column(server_default=text("24"))
    home_visit_radius_km: Mapped[Decimal] = mapped_column(Numeric(6, 2), server_default=text("15"))
    home_travel_minutes: Mapped[int] = mapped_column(server_default=text("30"))
    home_travel_fee_cents: Mapped[int] = mapped_column(server_default=text("1500"))
    salon_latitude: Mapped[Decimal] = mapped_column(Numeric(9, 6), server_default=text("45.767300"))
    salon_longitude: Mapped[Decimal] = mapped_column(Numeric(9, 6), server_default=text("4.851100"))
    # Money paid in advance is arrhes unless the terms say acompte (docs/deposits.md).
    deposit_policy: Mapped[str] = mapped_column(String(8), server_default=text("'arrhes'"))
    updated_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint(
            "slot_interval_minutes BETWEEN 5 AND 120 AND min_lead_time_minutes >= 0 AND "
            "max_advance_days BETWEEN 1 AND 730 AND hold_minutes BETWEEN 1 AND 240 AND "
            "cancellation_notice_hours >= 0",
            name="rules_valid",
        ),
        CheckConstraint(
            "home_visit_radius_km >= 0 AND home_travel_minutes >= 0 AND home_travel_fee_cents >= 0",
            name="home_rules_valid",
        ),
        CheckConstraint("deposit_policy IN ('arrhes', 'acompte')", name="deposit_policy_valid"),
    )
