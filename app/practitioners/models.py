from __future__ import annotations

from datetime import datetime, time
from uuid import UUID

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.ids import new_id
from app.core.weekly import weekly_interval_checks


class Practitioner(Base):
    __tablename__ = "practitioners"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    display_name: Mapped[str] = mapped_column(String(120))
    bio: Mapped[str | None] = mapped_column(Text)
    color: Mapped[str] = mapped_column(String(7), server_default=text("'#8E7CC3'"))
    user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    display_order: Mapped[int] = mapped_column(server_default=text("0"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (CheckConstraint("color ~ '^#[0-9A-Fa-f]{6}$'", name="color_hex"),)


class PractitionerService(Base):
    """A service she performs, with her own price or duration when they differ."""

    __tablename__ = "practitioner_services"

    practitioner_id: Mapped[UUID] = mapped_column(
        ForeignKey("practitioners.id", ondelete="CASCADE"), primary_key=True
    )
    service_id: Mapped[UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    price_cents: Mapped[int | None]
    duration_minutes: Mapped[int | None]

    __table_args__ = (
        CheckConstraint("price_cents IS NULL OR price_cents >= 0", name="price_valid"),
        CheckConstraint(
            "duration_minutes IS NULL OR (duration_minutes > 0 AND duration_minutes <= 720)",
            name="duration_valid",
        ),
    )


class WorkingHours(Base):
    """One interval of a weekday (0 = Monday), in the salon's local time."""

    __tablename__ = "working_hours"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    practitioner_id: Mapped[UUID] = mapped_column(
        ForeignKey("practitioners.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int]
    start_time: Mapped[time]
    end_time: Mapped[time]

    __table_args__ = weekly_interval_checks()


class Absence(Base):
    __tablename__ = "absences"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    practitioner_id: Mapped[UUID] = mapped_column(
        ForeignKey("practitioners.id", ondelete="CASCADE")
    )
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint("start_at < end_at", name="range_valid"),
        Index("ix_absences_practitioner_range", "practitioner_id", "start_at", "end_at"),
    )


class Resource(Base):
    """A treatment room, the hammam, a device: one client at a time."""

    __tablename__ = "resources"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(32), server_default=text("'room'"))
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime]
