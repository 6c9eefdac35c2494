"""Invoices and credit notes: numbered without gaps per series and year, issued once and
never changed (a trigger refuses any change but a merge of the client, and any delete). A
credit note is a document of its own that names the invoice it cancels, wholly or in part.
Lines keep the ticket's own figures (VAT included) and the amounts without VAT derived by
the till's one rounding rule, so invoice, ticket and books agree to the cent."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.enums import check_in
from app.core.ids import new_id


class DocumentKind(StrEnum):
    invoice = "invoice"
    credit_note = "credit_note"


class SourceKind(StrEnum):
    ticket = "ticket"  # a completed order's ticket (its journal record)
    booking = "booking"
    gift_card = "gift_card"  # a gift card sale


class Category(StrEnum):
    """The e-invoicing reform's mention: what the invoice sells."""

    goods = "goods"
    services = "services"
    both = "both"


class VatCategory(StrEnum):
    """EN 16931's VAT category of a line: standard rate, or outside the scope of VAT (a
    multi-purpose gift card: its VAT is due when it is spent, CGI 256 ter)."""

    standard = "S"
    outside_scope = "O"


class LineKind(StrEnum):
    service = "service"
    product = "product"
    fee = "fee"
    gift_card = "gift_card"


class Invoice(Base):
    __tablename__ = "invoices"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(40), unique=True)
    series: Mapped[str] = mapped_column(String(40))
    sequence: Mapped[int] = mapped_column(BigInteger)
    issued_at: Mapped[datetime]
    source_kind: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[UUID]
    source_number: Mapped[str | None] = mapped_column(String(40))  # the ticket's, printed
    # A credit note names the invoice it cancels.
    credited_invoice_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("invoices.id", ondelete="RESTRICT")
    )
    reason: Mapped[str | None] = mapped_column(String(200))
    client_id: Mapped[UUID | None] = mapped_column(ForeignKey("clients.id", ondelete="RESTRICT"))
    # The buyer as she was when the invoice was issued (an invoice is never rewritten).
    buyer_name: Mapped[str] = mapped_column(String(200))
    buyer_company: Mapped[str | None] = mapped_column(String(200))
    buyer_siren: Mapped[str | None] = mapped_column(String(9))
    buyer_siret: Mapped[str | None] = mapped_column(String(14))
    buyer_vat_number: Mapped[str | None] = mapped_column(String(20))
    buyer_address: Mapped[str | None] = mapped_column(Text)
    buyer_email: Mapped[str | None] = mapped_column(String(320))
    delivery_address: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3), server_default=text("'EUR'"))
    total_excl_vat_cents: Mapped[int] = mapped_column(BigInteger)
    total_vat_cents: Mapped[int] = mapped_column(BigInteger)
    total_incl_vat_cents: Mapped[int] = mapped_column(BigInteger)
    # What was already paid when it was issued (a till ticket is paid at the desk).
    paid_cents: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    paid_at: Mapped[datetime | None]
    payment_methods: Mapped[str | None] = mapped_column(String(200))  # as printed, French
    # A business client's sale on account: what was left owed when it was issued, and when
    # it falls due (docs/invoicing.md, "Sales on account"). What was paid or credited since
    # is in `invoice_settlements` and the credit notes: the invoice itself never changes.
    on_account_cents: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    due_date: Mapped[date | None]
    created_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    __table_args__ = (
        check_in("kind", DocumentKind),
        check_in("source_kind", SourceKind),
        check_in("category", Category),
        CheckConstraint(
            "(kind = 'credit_note') = (credited_invoice_id IS NOT NULL)",
            name="credit_names_invoice",
        ),
        CheckConstraint(
            "total_excl_vat_cents + total_vat_cents = total_incl_vat_cents"
            " AND total_incl_vat_cents >= 0 AND paid_cents >= 0",
            name="totals_valid",
        ),
        CheckConstraint(
            "on_account_cents >= 0 AND on_account_cents <= total_incl_vat_cents"
            " AND (on_account_cents = 0) = (due_date IS NULL)",
            name="on_account_valid",
        ),
        UniqueConstraint("series", "sequence", name="uq_invoices_series_sequence"),
        # One invoice per source at most.
        Index(
            "uq_invoices_source",
            "source_kind",
            "source_id",
            unique=True,
            postgresql_where=text("kind = 'invoice'"),
        ),
        Index("ix_invoices_issued", "issued_at", "id"),
        Index("ix_invoices_client", "client_id"),
        Index("ix_invoices_credited", "credited_invoice_id"),
        {"info": {"append_only": True}},
    )


class InvoiceLine(Base):
    """A line: its price VAT included as the ticket sold it, and the amounts without VAT and
    of VAT the invoice prints. A credit note's line names the line it gives back; its
    amounts are positive (the document's kind carries the sign)."""

    __tablename__ = "invoice_lines"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    invoice_id: Mapped[UUID] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_incl_vat_cents: Mapped[int] = mapped_column(BigInteger)
    discount_incl_vat_cents: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    unit_price_excl_vat_cents: Mapped[int] = mapped_column(BigInteger)
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    vat_category: Mapped[str] = mapped_column(String(1), server_default=text("'S'"))
    total_excl_vat_cents: Mapped[int] = mapped_column(BigInteger)
    vat_cents: Mapped[int] = mapped_column(BigInteger)
    total_incl_vat_cents: Mapped[int] = mapped_column(BigInteger)
    credited_line_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("invoice_lines.id", ondelete="RESTRICT")
    )

    __table_args__ = (
        check_in("kind", LineKind),
        check_in("vat_category", VatCategory),
        CheckConstraint(
            "vat_category = 'S' OR (vat_rate = 0 AND vat_cents = 0)", name="outside_vat"
        ),
        CheckConstraint(
            "quantity > 0 AND total_excl_vat_cents + vat_cents = total_incl_vat_cents"
            " AND unit_price_incl_vat_cents >= 0 AND discount_incl_vat_cents >= 0",
            name="amounts_valid",
        ),
        UniqueConstraint("invoice_id", "position", name="uq_invoice_lines_position"),
        Index("ix_invoice_lines_credited", "credited_line_id"),
        {"info": {"append_only": True}},
    )


class InvoiceSettlement(Base):
    """Money a business client paid on an invoice sold on account: the payment (payments
    domain, subject ("invoice", id)) and what staff recorded of it."""

    __tablename__ = "invoice_settlements"

    payment_id: Mapped[UUID] = mapped_column(
        ForeignKey("payments.id", ondelete="RESTRICT"), primary_key=True
    )
    invoice_id: Mapped[UUID] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"))
    method: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    received_on: Mapped[date]  # the day the money reached the salon (the entry's date)
    reference: Mapped[str | None] = mapped_column(String(100))  # the transfer's reference
    created_at: Mapped[datetime]
    created_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        Index("ix_invoice_settlements_invoice", "invoice_id"),
        {"info": {"append_only": True}},
    )


class OverdueReminder(Base):
    """The one reminder e-mail of an invoice gone overdue."""

    __tablename__ = "invoice_overdue_reminders"

    invoice_id: Mapped[UUID] = mapped_column(
        ForeignKey("invoices.id", ondelete="RESTRICT"), primary_key=True
    )
    outstanding_cents: Mapped[int] = mapped_column(BigInteger)  # what it asked for
    message_id: Mapped[UUID | None]  # None: the client has no e-mail address
    reminded_at: Mapped[datetime]
