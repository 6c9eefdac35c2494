"""The tills (cash registers) and their sessions: a session opens with a float and closes
with the cash counted. What happened in a session is in the journal (its records name the
till); a session keeps its opening and closing figures and the journal records they are."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.enums import check_in
from app.core.ids import new_id


class CashRegister(Base):
    """A till: its name is printed on every ticket."""

    __tablename__ = "cash_registers"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime]


class RegisterSession(Base):
    """From opening to closing a till. At most one open session per till (a partial unique
    index decides between two openings at once)."""

    __tablename__ = "register_sessions"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    register_id: Mapped[UUID] = mapped_column(ForeignKey("cash_registers.id", ondelete="RESTRICT"))
    float_cents: Mapped[int] = mapped_column(BigInteger)
    opened_at: Mapped[datetime]
    opened_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # The journal's `register_opened` record: the session's records come after its sequence.
    opened_record_id: Mapped[UUID]
    opened_sequence: Mapped[int] = mapped_column(BigInteger)
    closed_at: Mapped[datetime | None]
    closed_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    expected_cents: Mapped[int | None] = mapped_column(BigInteger)
    counted_cents: Mapped[int | None] = mapped_column(BigInteger)
    difference_cents: Mapped[int | None] = mapped_column(BigInteger)
    closed_record_id: Mapped[UUID | None]

    __table_args__ = (
        CheckConstraint("float_cents >= 0", name="float_not_negative"),
        CheckConstraint(
            "(closed_at IS NULL) = (closed_record_id IS NULL)"
            " AND (closed_at IS NULL) = (counted_cents IS NULL)"
            " AND (closed_at IS NULL) = (expected_cents IS NULL)"
            " AND (closed_at IS NULL) = (difference_cents IS NULL)",
            name="closed_together",
        ),
        Index(
            "uq_register_sessions_one_open",
            "register_id",
            unique=True,
            postgresql_where=text("closed_at IS NULL"),
        ),
        Index("ix_register_sessions_register_opened", "register_id", "opened_at"),
    )


class ReceiptIssue(Base):
    """How many times a ticket's receipt was issued (printed, sent as JSON to a printer,
    e-mailed): the first is the original, every later one a DUPLICATA (itself journaled)."""

    __tablename__ = "receipt_issues"

    journal_record_id: Mapped[UUID] = mapped_column(primary_key=True)
    issued: Mapped[int]
    first_issued_at: Mapped[datetime]
    last_issued_at: Mapped[datetime]

    __table_args__ = (CheckConstraint("issued >= 1", name="issued_positive"),)


class OrderStatus(StrEnum):
    open = "open"  # lines may change until a tender is taken; tenders until it is paid
    completed = "completed"  # its ticket is in the journal
    cancelled = "cancelled"  # abandoned before anything was paid


class LineKind(StrEnum):
    service = "service"
    product = "product"
    fee = "fee"  # a home visit's travel fee, from its booking
    package = "package"  # a series of sessions (app/packages), active once the ticket is made


class Order(Base):
    """What a client buys at the desk: a booking's services (with what she already paid
    online), walk-in services and retail products. Paid by one or more tenders, then
    completed into a numbered ticket of the journal."""

    __tablename__ = "sales_orders"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    status: Mapped[str] = mapped_column(String(16))
    register_id: Mapped[UUID] = mapped_column(ForeignKey("cash_registers.id", ondelete="RESTRICT"))
    booking_id: Mapped[UUID | None] = mapped_column(ForeignKey("bookings.id", ondelete="RESTRICT"))
    client_id: Mapped[UUID | None] = mapped_column(ForeignKey("clients.id", ondelete="RESTRICT"))
    training: Mapped[bool] = mapped_column(server_default=text("false"))
    # What the client paid for the booking before the visit (its deposit, online): counted.
    prepaid_cents: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    total_cents: Mapped[int] = mapped_column(BigInteger)  # VAT included, discounts taken off
    discount_cents: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    discount_reason: Mapped[str | None] = mapped_column(String(200))
    promo_code: Mapped[str | None] = mapped_column(String(64))
    # The client's name is printed on the note unless she objects.
    print_client_name: Mapped[bool] = mapped_column(server_default=text("true"))
    created_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    ticket_record_id: Mapped[UUID | None]
    ticket_number: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (
        check_in("status", OrderStatus),
        CheckConstraint(
            "total_cents >= 0 AND discount_cents >= 0 AND prepaid_cents >= 0",
            name="amounts_valid",
        ),
        CheckConstraint(
            "(status = 'completed') = (ticket_record_id IS NOT NULL)", name="ticket_when_completed"
        ),
        # A booking is checked out once: one order that is not cancelled.
        Index(
            "uq_sales_orders_booking",
            "booking_id",
            unique=True,
            postgresql_where=text("booking_id IS NOT NULL AND status <> 'cancelled'"),
        ),
        Index("ix_sales_orders_status_created", "status", "created_at"),
        Index("ix_sales_orders_client", "client_id"),
    )


class OrderLine(Base):
    """One line of an order: a service (by whom) or a product, its price with VAT when the
    line was added, its VAT rate and the discount on it (its share of an order discount
    included)."""

    __tablename__ = "sales_order_lines"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    order_id: Mapped[UUID] = mapped_column(ForeignKey("sales_orders.id", ondelete="CASCADE"))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    service_id: Mapped[UUID | None] = mapped_column(ForeignKey("services.id", ondelete="RESTRICT"))
    product_id: Mapped[UUID | None] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    package_offer_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("package_offers.id", ondelete="RESTRICT")
    )
    practitioner_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("practitioners.id", ondelete="RESTRICT")
    )
    label: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int]
    unit_price_cents: Mapped[int] = mapped_column(BigInteger)
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    discount_cents: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    discount_reason: Mapped[str | None] = mapped_column(String(200))
    from_booking: Mapped[bool] = mapped_column(server_default=text("false"))
    # Given back so far by credit tickets (never more than `quantity`).
    returned_quantity: Mapped[int] = mapped_column(server_default=text("0"))

    __table_args__ = (
        check_in("kind", LineKind),
        CheckConstraint(
            "(kind = 'service') = (service_id IS NOT NULL)"
            " AND (kind = 'product') = (product_id IS NOT NULL)"
            " AND (kind = 'package') = (package_offer_id IS NOT NULL)",
            name="item_of_kind",
        ),
        CheckConstraint(
            "quantity > 0 AND unit_price_cents >= 0 AND discount_cents >= 0"
            " AND discount_cents <= quantity * unit_price_cents"
            " AND returned_quantity >= 0 AND returned_quantity <= quantity",
            name="amounts_valid",
        ),
        UniqueConstraint("order_id", "position", name="uq_sales_order_lines_position"),
    )


class OrderTender(Base):
    """A tender of an order: the payment that carries it (a training order has none), what
    the client handed over and the change given back. What the booking's client paid before
    the visit is a `deposit` tender, carried by the booking's own payment."""

    __tablename__ = "sales_order_tenders"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    order_id: Mapped[UUID] = mapped_column(ForeignKey("sales_orders.id", ondelete="CASCADE"))
    payment_id: Mapped[UUID | None] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"))
    method: Mapped[str] = mapped_column(String(16))  # the journal's tender method
    amount_cents: Mapped[int] = mapped_column(BigInteger)  # what pays the order
    tip_cents: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    change_cents: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    # Given back by credit tickets, out of `amount_cents`.
    refunded_cents: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    created_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(
            "amount_cents >= 0 AND tip_cents >= 0 AND change_cents >= 0"
            " AND refunded_cents >= 0 AND refunded_cents <= amount_cents",
            name="amounts_valid",
        ),
        CheckConstraint("change_cents = 0 OR method = 'cash'", name="change_in_cash"),
        UniqueConstraint("order_id", "payment_id", name="uq_sales_order_tenders_payment"),
        Index("ix_sales_order_tenders_payment", "payment_id"),
    )


class CreditNote(Base):
    """A return or an exchange: the credit ticket (journal) for lines of a completed order,
    and how the money went back."""

    __tablename__ = "sales_credits"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    order_id: Mapped[UUID] = mapped_column(ForeignKey("sales_orders.id", ondelete="RESTRICT"))
    ticket_record_id: Mapped[UUID]
    ticket_number: Mapped[str] = mapped_column(String(40))
    amount_cents: Mapped[int] = mapped_column(BigInteger)  # given back, VAT included
    reason: Mapped[str] = mapped_column(String(200))
    created_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        Index("ix_sales_credits_order", "order_id"),
    )
