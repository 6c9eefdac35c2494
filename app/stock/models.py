"""Stock: one row per stocked product (its running totals, kept under a row lock), the
append-only ledger of movements those totals come from, recipes, counts, suppliers and
purchase orders. Quantities are integers in the product's stock unit (docs/stock.md)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.enums import check_in
from app.core.ids import new_id


class Unit(StrEnum):
    piece = "piece"
    ml = "ml"
    g = "g"


class Cause(StrEnum):
    sale = "sale"  # out, to a client (a ticket or an order)
    sale_return = "return"  # back from a client, resellable
    delivery = "delivery"  # in, from a supplier, at its cost
    treatment = "treatment"  # out, used in a service (a booking, or a walk-in ticket)
    breakage = "breakage"  # out: broken, expired, or a return that cannot be sold again
    adjustment = "adjustment"  # either way, by a manager, with a reason
    stock_count = "count"  # either way: the difference an inventory count found


OUTGOING = frozenset({Cause.sale, Cause.treatment, Cause.breakage})
INCOMING = frozenset({Cause.sale_return, Cause.delivery})


class ReferenceKind(StrEnum):
    ticket = "ticket"
    order = "order"
    booking = "booking"
    purchase_order = "purchase_order"
    stock_count = "count"


class StockItem(Base):
    """A product's stock: its unit and running totals, which always equal the sum of its
    movements (both change together, under `SELECT ... FOR UPDATE` on this row)."""

    __tablename__ = "stock_items"

    product_id: Mapped[UUID] = mapped_column(
        ForeignKey("products.id", ondelete="RESTRICT"), primary_key=True
    )
    unit: Mapped[str] = mapped_column(String(8), server_default=text("'piece'"))
    # Units in one pack bought or sold (a 50 ml bottle: 50); 1 for pieces.
    pack_size: Mapped[int] = mapped_column(server_default=text("1"))
    on_hand: Mapped[int] = mapped_column(server_default=text("0"))
    value_cents: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    low_threshold: Mapped[int | None]
    # Set when on-hand crossed the threshold downwards (one message), cleared above it.
    low_alerted: Mapped[bool] = mapped_column(server_default=text("false"))
    low_alerts: Mapped[int] = mapped_column(server_default=text("0"))
    allow_negative: Mapped[bool] = mapped_column(server_default=text("false"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        check_in("unit", Unit),
        CheckConstraint("pack_size > 0", name="pack_size_valid"),
        CheckConstraint("allow_negative OR on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint(
            "value_cents >= 0 AND (on_hand > 0 OR value_cents = 0)", name="value_valid"
        ),
        CheckConstraint("low_threshold IS NULL OR low_threshold >= 0", name="threshold_valid"),
    )


class StockMovement(Base):
    """One change of a product's stock, never edited (PostgreSQL refuses an UPDATE): what,
    how much (signed, in stock units), why, who, when, what caused it, and the totals after."""

    __tablename__ = "stock_movements"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    product_id: Mapped[UUID] = mapped_column(
        ForeignKey("stock_items.product_id", ondelete="RESTRICT")
    )
    cause: Mapped[str] = mapped_column(String(12))
    quantity: Mapped[int]
    value_cents: Mapped[int] = mapped_column(BigInteger)  # the change of the stock's value
    unit_cost_cents: Mapped[int | None]  # a delivery's cost of one pack
    on_hand_after: Mapped[int]
    value_after_cents: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(Text)
    reference_kind: Mapped[str | None] = mapped_column(String(16))
    reference_id: Mapped[UUID | None]
    supplier_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("stock_suppliers.id", ondelete="RESTRICT")
    )
    actor_user_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime]

    __table_args__ = (
        check_in("cause", Cause),
        check_in("reference_kind", ReferenceKind),
        CheckConstraint("quantity <> 0", name="quantity_not_zero"),
        CheckConstraint(
            "(cause NOT IN ('sale', 'treatment', 'breakage') OR quantity < 0) AND "
            "(cause NOT IN ('return', 'delivery') OR quantity > 0)",
            name="quantity_sign_valid",
        ),
        CheckConstraint(
            "(cause = 'delivery') = (unit_cost_cents IS NOT NULL) "
            "AND (unit_cost_cents IS NULL OR unit_cost_cents >= 0)",
            name="unit_cost_valid",
        ),
        CheckConstraint("cause <> 'adjustment' OR reason IS NOT NULL", name="adjustment_reason"),
        CheckConstraint(
            "(reference_kind IS NULL) = (reference_id IS NULL)", name="reference_valid"
        ),
        CheckConstraint("cause <> 'count' OR reference_kind = 'count'", name="count_reference"),
        Index("ix_stock_movements_product_at", "product_id", "at"),
        Index("ix_stock_movements_at", "at"),
        Index("ix_stock_movements_reference", "reference_kind", "reference_id"),
    )


class RecipeLine(Base):
    """How much of a product one service uses, in the product's stock unit."""

    __tablename__ = "stock_recipe_lines"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    service_id: Mapped[UUID] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    product_id: Mapped[UUID] = mapped_column(
        ForeignKey("stock_items.product_id", ondelete="RESTRICT")
    )
    quantity: Mapped[int]
    created_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_valid"),
        Index("uq_stock_recipe_lines_service_product", "service_id", "product_id", unique=True),
        Index("ix_stock_recipe_lines_product", "product_id"),
    )


class ConsumedBooking(Base):
    """A completed booking whose recipes were consumed: the event is replayed harmlessly."""

    __tablename__ = "stock_consumed_bookings"

    booking_id: Mapped[UUID] = mapped_column(primary_key=True)
    consumed_at: Mapped[datetime]


class CountStatus(StrEnum):
    open = "open"
    closed = "closed"


class StockCount(Base):
    __tablename__ = "stock_counts"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    status: Mapped[str] = mapped_column(String(8), server_default=text("'open'"))
    note: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime]
    opened_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    closed_at: Mapped[datetime | None]
    closed_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    __table_args__ = (
        check_in("status", CountStatus),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_valid"),
        # One count at a time: two open sheets would book the same difference twice.
        Index(
            "uq_stock_counts_one_open",
            "status",
            unique=True,
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_stock_counts_opened_at", "opened_at"),
    )


class StockCountLine(Base):
    """A product on a count sheet. `expected` is what the stock held when the quantity was
    entered (on opening, until then); the difference is booked when the count closes."""

    __tablename__ = "stock_count_lines"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    count_id: Mapped[UUID] = mapped_column(ForeignKey("stock_counts.id", ondelete="CASCADE"))
    product_id: Mapped[UUID] = mapped_column(
        ForeignKey("stock_items.product_id", ondelete="RESTRICT")
    )
    expected: Mapped[int]
    counted: Mapped[int | None]
    counted_at: Mapped[datetime | None]
    difference: Mapped[int | None]
    value_cents: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        CheckConstraint("counted IS NULL OR counted >= 0", name="counted_valid"),
        Index("uq_stock_count_lines_product", "count_id", "product_id", unique=True),
    )


class Supplier(Base):
    __tablename__ = "stock_suppliers"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(160))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (Index("uq_stock_suppliers_name", "name", unique=True),)


class OrderStatus(StrEnum):
    ordered = "ordered"
    partially_received = "partially_received"
    received = "received"
    cancelled = "cancelled"  # what was not received yet will not come


class PurchaseOrder(Base):
    __tablename__ = "stock_purchase_orders"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    supplier_id: Mapped[UUID] = mapped_column(ForeignKey("stock_suppliers.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(20), server_default=text("'ordered'"))
    reference: Mapped[str | None] = mapped_column(String(64))  # the supplier's own number
    note: Mapped[str | None] = mapped_column(Text)
    ordered_at: Mapped[datetime]
    ordered_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    closed_at: Mapped[datetime | None]

    __table_args__ = (
        check_in("status", OrderStatus),
        Index("ix_stock_purchase_orders_ordered_at", "ordered_at"),
    )


class PurchaseOrderLine(Base):
    """Packs ordered at a cost per pack, and how many arrived so far."""

    __tablename__ = "stock_purchase_order_lines"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    order_id: Mapped[UUID] = mapped_column(
        ForeignKey("stock_purchase_orders.id", ondelete="CASCADE")
    )
    position: Mapped[int]
    product_id: Mapped[UUID] = mapped_column(
        ForeignKey("stock_items.product_id", ondelete="RESTRICT")
    )
    quantity: Mapped[int]
    unit_cost_cents: Mapped[int]
    received_quantity: Mapped[int] = mapped_column(server_default=text("0"))

    __table_args__ = (
        CheckConstraint(
            "quantity > 0 AND unit_cost_cents >= 0 AND received_quantity >= 0 "
            "AND received_quantity <= quantity",
            name="quantities_valid",
        ),
        Index("uq_stock_purchase_order_lines_product", "order_id", "product_id", unique=True),
    )
