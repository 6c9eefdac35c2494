"""payments: provider payouts and their lines, the fee a provider reports with a payment;
accounting: entries of fees and payouts (source kinds, a link to the payout), the fees
account's label

Revision ID: 0031
Revises: 0034
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 0032 (receivables) came before and added 'credit_note'.
KINDS_BEFORE = (
    "'ticket', 'credit_ticket', 'payment', 'refund', 'gift_card_expiry', 'deposit_kept', "
    "'credit_note'"
)
KINDS_AFTER = KINDS_BEFORE + ", 'provider_fee', 'payout', 'payout_failed'"
# The fees role was seeded (0029) before any entry used it; its label follows the PCG 627 now,
# unless the accountant already chose her own.
FEES_BEFORE = "Frais sur moyens de paiement"
FEES_AFTER = "Frais et commissions sur services bancaires"


def _source_kinds(kinds: str) -> None:
    op.drop_constraint(
        op.f("ck_accounting_entries_source_kind_valid"), "accounting_entries", type_="check"
    )
    op.create_check_constraint(
        op.f("ck_accounting_entries_source_kind_valid"),
        "accounting_entries",
        f"source_kind IN ({kinds})",
    )


def _fees_label(old: str, new: str) -> None:
    op.execute(
        sa.text(
            "UPDATE accounting_accounts SET label = :new WHERE key = 'fees' AND label = :old"
        ).bindparams(old=old, new=new)
    )


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "payouts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("provider_payout_id", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("gross_cents", sa.BigInteger(), nullable=False),
        sa.Column("fee_cents", sa.BigInteger(), nullable=False),
        sa.Column("net_cents", sa.BigInteger(), nullable=False),
        sa.Column(
            "fees_booked_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("arrival_date", sa.Date(), nullable=False),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "provider IN ('stripe', 'sumup', 'paypal')", name=op.f("ck_payouts_provider_valid")
        ),
        sa.CheckConstraint("status IN ('paid', 'failed')", name=op.f("ck_payouts_status_valid")),
        sa.CheckConstraint(
            "source IN ('webhook', 'sync', 'staff')", name=op.f("ck_payouts_source_valid")
        ),
        sa.CheckConstraint(
            "gross_cents = net_cents + fee_cents", name=op.f("ck_payouts_amounts_add_up")
        ),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f("ck_payouts_currency_valid")),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_payouts_recorded_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payouts")),
    )
    op.create_index(
        "uq_payouts_provider_ref", "payouts", ["provider", "provider_payout_id"], unique=True
    )
    op.create_index("ix_payouts_arrival", "payouts", ["arrival_date"], unique=False)
    op.create_table(
        "payout_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("payout_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("provider_ref", sa.String(length=100), nullable=False),
        sa.Column("source_ref", sa.String(length=100), nullable=True),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("refund_id", sa.Uuid(), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("fee_cents", sa.BigInteger(), nullable=False),
        sa.Column("net_cents", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "kind IN ('charge', 'refund', 'fee', 'adjustment', 'payout_failure', 'other')",
            name=op.f("ck_payout_lines_kind_valid"),
        ),
        sa.CheckConstraint(
            "net_cents = amount_cents - fee_cents", name=op.f("ck_payout_lines_amounts_add_up")
        ),
        sa.ForeignKeyConstraint(
            ["payout_id"],
            ["payouts.id"],
            name=op.f("fk_payout_lines_payout_id_payouts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_payout_lines_payment_id_payments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"],
            ["refunds.id"],
            name=op.f("fk_payout_lines_refund_id_refunds"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_lines")),
    )
    op.create_index(
        "uq_payout_lines_position", "payout_lines", ["payout_id", "position"], unique=True
    )
    op.create_index("ix_payout_lines_payment", "payout_lines", ["payment_id"], unique=False)
    op.add_column("payments", sa.Column("fee_cents", sa.BigInteger(), nullable=True))
    op.add_column("accounting_entries", sa.Column("payout_id", sa.Uuid(), nullable=True))
    _source_kinds(KINDS_AFTER)
    _fees_label(FEES_BEFORE, FEES_AFTER)


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute(
        "DELETE FROM accounting_entries"
        " WHERE source_kind IN ('provider_fee', 'payout', 'payout_failed')"
    )
    _fees_label(FEES_AFTER, FEES_BEFORE)
    _source_kinds(KINDS_BEFORE)
    op.drop_column("accounting_entries", "payout_id")
    op.drop_column("payments", "fee_cents")
    op.drop_index("ix_payout_lines_payment", table_name="payout_lines")
    op.drop_index("uq_payout_lines_position", table_name="payout_lines")
    op.drop_table("payout_lines")
    op.drop_index("ix_payouts_arrival", table_name="payouts")
    op.drop_index("uq_payouts_provider_ref", table_name="payouts")
    op.drop_table("payouts")
