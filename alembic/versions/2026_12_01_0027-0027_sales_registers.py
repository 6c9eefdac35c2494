"""cash_registers, register_sessions and receipt_issues: the tills, their sessions (at most
one open per till: a partial unique index), and how many times each ticket's receipt was
issued (the original, then duplicates)

Revision ID: 0027
Revises: 0026
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels = None
depends_on = None

CLOSED_TOGETHER = (
    "(closed_at IS NULL) = (closed_record_id IS NULL)"
    " AND (closed_at IS NULL) = (counted_cents IS NULL)"
    " AND (closed_at IS NULL) = (expected_cents IS NULL)"
    " AND (closed_at IS NULL) = (difference_cents IS NULL)"
)


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "cash_registers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cash_registers"),
        sa.UniqueConstraint("name", name="uq_cash_registers_name"),
    )
    op.create_table(
        "register_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=False),
        sa.Column("float_cents", sa.BigInteger(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("opened_record_id", sa.Uuid(), nullable=False),
        sa.Column("opened_sequence", sa.BigInteger(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("expected_cents", sa.BigInteger(), nullable=True),
        sa.Column("counted_cents", sa.BigInteger(), nullable=True),
        sa.Column("difference_cents", sa.BigInteger(), nullable=True),
        sa.Column("closed_record_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("float_cents >= 0", name="ck_register_sessions_float_not_negative"),
        sa.CheckConstraint(CLOSED_TOGETHER, name="ck_register_sessions_closed_together"),
        sa.ForeignKeyConstraint(
            ["register_id"],
            ["cash_registers.id"],
            name="fk_register_sessions_register_id_cash_registers",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_user_id"],
            ["users.id"],
            name="fk_register_sessions_opened_by_user_id_users",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_user_id"],
            ["users.id"],
            name="fk_register_sessions_closed_by_user_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_register_sessions"),
    )
    op.create_index(
        "uq_register_sessions_one_open",
        "register_sessions",
        ["register_id"],
        unique=True,
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.create_index(
        "ix_register_sessions_register_opened", "register_sessions", ["register_id", "opened_at"]
    )
    op.create_table(
        "receipt_issues",
        sa.Column("journal_record_id", sa.Uuid(), nullable=False),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("first_issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("issued >= 1", name="ck_receipt_issues_issued_positive"),
        sa.PrimaryKeyConstraint("journal_record_id", name="pk_receipt_issues"),
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_table("receipt_issues")
    op.drop_index("ix_register_sessions_register_opened", table_name="register_sessions")
    op.drop_index("uq_register_sessions_one_open", table_name="register_sessions")
    op.drop_table("register_sessions")
    op.drop_table("cash_registers")
