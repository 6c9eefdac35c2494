"""The tills (cash registers) and their sessions: a session opens with a float and closes
with the cash counted. What happened in a session is in the journal (its records name the
till); a session keeps its opening and closing figures and the journal records they are."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
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
