from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.enums import check_in
from app.core.ids import new_id


class DepositKind(StrEnum):
    none = "none"
    fixed = "fixed"
    percent = "percent"


class ServiceCategory(Base):
    __tablename__ = "service_categories"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    display_order: Mapped[int] = mapped_column(server_default=text("0"))
    created_at: Mapped[datetime]


class Service(Base):
    __tablename__ = "services"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    category_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("service_categories.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str | None] = mapped_column(Text)
    duration_minutes: Mapped[int]
    buffer_before_minutes: Mapped[int] = mapped_column(server_default=text("0"))
    buffer_after_minutes: Mapped[int] = mapped_column(server_default=text("0"))
    # A stretch inside the service (a mask setting, a colour developing) during which the
    # practitioner is free for someone else; the client and her room stay taken.
    processing_offset_minutes: Mapped[int] = mapped_column(server_default=text("0"))
    processing_minutes: Mapped[int] = mapped_column(server_default=text("0"))
    price_cents: Mapped[int]
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    deposit_kind: Mapped[str] = mapped_column(String(16), server_default=text("'none'"))
    deposit_amount_cents: Mapped[int | None]
    deposit_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    online_bookable: Mapped[bool] = mapped_column(server_default=text("true"))
    home_visit_available: Mapped[bool] = mapped_column(server_default=text("false"))
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    display_order: Mapped[int] = mapped_column(server_default=text("0"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint("duration_minutes > 0 AND duration_minutes <= 720", name="duration_valid"),
        CheckConstraint(
            "buffer_before_minutes >= 0 AND buffer_after_minutes >= 0", name="buffers_valid"
        ),
        CheckConstraint(
            "processing_minutes >= 0 AND processing_offset_minutes >= 0 AND "
            "(processing_minutes = 0 OR "
            "processing_offset_minutes + processing_minutes < duration_minutes)",
            name="processing_inside_service",
        ),
        CheckConstraint("price_cents >= 0", name="price_valid"),
        CheckConstraint("vat_rate >= 0 AND vat_rate < 100", name="vat_rate_valid"),
        check_in("deposit_kind", DepositKind),
        CheckConstraint(
            "(deposit_kind = 'none') OR "
            "(deposit_kind = 'fixed' AND deposit_amount_cents > 0) OR "
            "(deposit_kind = 'percent' AND deposit_percent > 0 AND deposit_percent <= 100)",
            name="deposit_rule_valid",
        ),
    )


class ServicePrerequisite(Base):
    """Before `service_id`, the client must have had `required_service_id` (a patch test)
    within `within_days`; with `first_time_only`, only before her first such service."""

    __tablename__ = "service_prerequisites"

    service_id: Mapped[UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    required_service_id: Mapped[UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    within_days: Mapped[int]
    min_days_before: Mapped[int] = mapped_column(server_default=text("0"))
    first_time_only: Mapped[bool] = mapped_column(server_default=text("true"))

    __table_args__ = (
        CheckConstraint("service_id <> required_service_id", name="not_itself"),
        CheckConstraint("within_days > 0 AND min_days_before >= 0", name="days_valid"),
    )


class ServiceResource(Base):
    """A resource (room, equipment) the service needs for its whole length."""

    __tablename__ = "service_resources"

    service_id: Mapped[UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    resource_id: Mapped[UUID] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True
    )


class Product(Base):
    __tablename__ = "products"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(160))
    brand: Mapped[str | None] = mapped_column(String(120))
    sku: Mapped[str | None] = mapped_column(String(64), unique=True)
    # EAN-13 as printed under the bars (checked digit included): what the till scans.
    barcode: Mapped[str | None] = mapped_column(String(13), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    price_cents: Mapped[int]
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint("price_cents >= 0", name="price_valid"),
        CheckConstraint("vat_rate >= 0 AND vat_rate < 100", name="vat_rate_valid"),
    )
