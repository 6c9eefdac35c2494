"""The books: the account mapping the accountant edits, the journals, fiscal years and their
monthly periods, and the double-entry entries written from the other domains' events
(docs/accounting.md). Amounts are integer cents; an entry's lines always balance (checked in
code and by a deferred constraint trigger at commit)."""

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
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.enums import check_in
from app.core.ids import new_id


class JournalCode(StrEnum):
    sales = "VE"
    cash = "CA"
    bank = "BQ"
    stripe = "ST"
    paypal = "PP"
    sumup = "SU"
    misc = "OD"
    opening = "AN"  # à-nouveaux: written into the FEC only, from the previous year's balances


class Account(Base):
    """One role of the mapping (`cash`, `revenue_services_20`…) and the account it posts to;
    the accountant changes `number` and `label`, the roles are the code's."""

    __tablename__ = "accounting_accounts"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    number: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]

    __table_args__ = (CheckConstraint("number ~ '^[1-7][0-9A-Z]{1,19}$'", name="number_valid"),)


class Journal(Base):
    __tablename__ = "accounting_journals"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    label: Mapped[str] = mapped_column(String(100))


class FiscalYear(Base):
    """A fiscal year (the calendar year). Exporting its FEC locks it and all its periods."""

    __tablename__ = "accounting_fiscal_years"

    year: Mapped[int] = mapped_column(primary_key=True)
    start_date: Mapped[date]
    end_date: Mapped[date]
    locked_at: Mapped[datetime | None]
    exported_at: Mapped[datetime | None]


class Period(Base):
    """A month of a fiscal year; a locked one takes no entry (the next open one does)."""

    __tablename__ = "accounting_periods"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    year: Mapped[int] = mapped_column(ForeignKey("accounting_fiscal_years.year"))
    month: Mapped[int]
    start_date: Mapped[date]
    end_date: Mapped[date]
    locked_at: Mapped[datetime | None]
    locked_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    __table_args__ = (
        UniqueConstraint("year", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_valid"),
    )


class SourceKind(StrEnum):
    ticket = "ticket"
    credit_ticket = "credit_ticket"
    payment = "payment"
    refund = "refund"
    gift_card_expiry = "gift_card_expiry"
    deposit_kept = "deposit_kept"
    credit_note = "credit_note"  # an invoice's credit note lowering a client's debt (411)
    provider_fee = "provider_fee"
    payout = "payout"
    payout_failed = "payout_failed"
    package = "package"  # a package's prepayment moving (docs/packages.md)
    subscription = "subscription"  # a membership's invoice paid (docs/subscriptions.md)


class Entry(Base):
    """One balanced entry (écriture), numbered without gaps per journal and fiscal year, and
    written once per source event (`source_key` is unique)."""

    __tablename__ = "accounting_entries"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    journal_code: Mapped[str] = mapped_column(ForeignKey("accounting_journals.code"))
    fiscal_year: Mapped[int] = mapped_column(ForeignKey("accounting_fiscal_years.year"))
    number: Mapped[int]
    entry_date: Mapped[date]
    label: Mapped[str] = mapped_column(String(200))
    # The document it comes from (PieceRef, PieceDate): a ticket number, a payment id.
    document_ref: Mapped[str] = mapped_column(String(60))
    document_date: Mapped[date]
    source_kind: Mapped[str] = mapped_column(String(20))
    source_key: Mapped[str] = mapped_column(String(120))
    journal_record_id: Mapped[UUID | None]
    payment_id: Mapped[UUID | None]
    refund_id: Mapped[UUID | None]
    gift_card_id: Mapped[UUID | None]
    payout_id: Mapped[UUID | None]
    created_at: Mapped[datetime]

    __table_args__ = (
        check_in("source_kind", SourceKind),
        UniqueConstraint("source_key"),
        UniqueConstraint("journal_code", "fiscal_year", "number"),
        CheckConstraint("number > 0", name="number_positive"),
        Index("ix_accounting_entries_date", "entry_date"),
    )


class EntryLine(Base):
    __tablename__ = "accounting_entry_lines"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    entry_id: Mapped[UUID] = mapped_column(ForeignKey("accounting_entries.id", ondelete="CASCADE"))
    position: Mapped[int]
    # The account as it was mapped when the entry was written: a later change of the
    # mapping never rewrites the books.
    account_key: Mapped[str] = mapped_column(String(40))
    account_number: Mapped[str] = mapped_column(String(20))
    account_label: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(200))
    debit_cents: Mapped[int] = mapped_column(BigInteger)
    credit_cents: Mapped[int] = mapped_column(BigInteger)
    # On a VAT line, the taxable base it is on, signed like the line (debit positive): the
    # VAT return's bases come from here, each traceable to its entry.
    vat_base_cents: Mapped[int | None] = mapped_column(BigInteger)
    # A business client's auxiliary account on a 411 line (CompAuxNum, CompAuxLib).
    aux_number: Mapped[str | None] = mapped_column(String(20))
    aux_label: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        UniqueConstraint("entry_id", "position"),
        CheckConstraint("(aux_number IS NULL) = (aux_label IS NULL)", name="aux_together"),
        CheckConstraint(
            "debit_cents >= 0 AND credit_cents >= 0 AND (debit_cents = 0) <> (credit_cents = 0)",
            name="one_side",
        ),
        Index("ix_accounting_entry_lines_account", "account_number"),
        Index(
            "ix_accounting_entry_lines_aux",
            "aux_number",
            postgresql_where=text("aux_number IS NOT NULL"),
        ),
    )


class ClientAccount(Base):
    """A business client's auxiliary account in the receivables (411): a stable code given
    the first time the books post to her, and her company's name today (the FEC prints one
    label per code)."""

    __tablename__ = "accounting_client_accounts"

    client_id: Mapped[UUID] = mapped_column(
        ForeignKey("clients.id", ondelete="RESTRICT"), primary_key=True
    )
    number: Mapped[str] = mapped_column(String(20), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MembershipRecognition(Base):
    """A paid membership invoice whose plan includes services (docs/subscriptions.md,
    "Accounting"): its price without VAT waits in 487100 and becomes revenue month by month
    over its period; `recognised_cents` is what the monthly slices posted so far moved."""

    __tablename__ = "accounting_membership_recognitions"

    invoice_id: Mapped[UUID] = mapped_column(primary_key=True)
    period_start_at: Mapped[datetime]
    period_end_at: Mapped[datetime]
    net_cents: Mapped[int] = mapped_column(BigInteger)
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    recognised_cents: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(
            "period_end_at >= period_start_at AND recognised_cents BETWEEN 0 AND net_cents",
            name="amounts_valid",
        ),
        Index(
            "ix_accounting_membership_recognitions_pending",
            "period_start_at",
            postgresql_where=text("recognised_cents < net_cents"),
        ),
    )
