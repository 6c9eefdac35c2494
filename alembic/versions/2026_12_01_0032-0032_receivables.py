"""receivables of business clients: invoices sold on account (on_account_cents, due_date),
what was paid on them (invoice_settlements, append-only) and their overdue reminder
(invoice_overdue_reminders); the books' auxiliary accounts of clients
(accounting_client_accounts, aux_number/aux_label on entry lines) and entries of kind
credit_note. The 411000 "Clients" role was seeded by 0029 (`clients`).

Revision ID: 0032
Revises: 0033
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCE_KINDS_BEFORE = (
    "'ticket', 'credit_ticket', 'payment', 'refund', 'gift_card_expiry', 'deposit_kept'"
)
SOURCE_KINDS = SOURCE_KINDS_BEFORE + ", 'credit_note'"
# The 411 role the till's sales on account post to (seeded by 0029; kept if already there).
CLIENTS_ROLE = """
INSERT INTO accounting_accounts (key, number, label, updated_at)
VALUES ('clients', '411000', 'Clients', now())
ON CONFLICT (key) DO NOTHING
"""


def _source_kinds(values: str) -> None:
    op.drop_constraint(
        op.f("ck_accounting_entries_source_kind_valid"), "accounting_entries", type_="check"
    )
    op.create_check_constraint(
        op.f("ck_accounting_entries_source_kind_valid"),
        "accounting_entries",
        f"source_kind IN ({values})",
    )


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column(
        "invoices",
        sa.Column("on_account_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
    )
    op.add_column("invoices", sa.Column("due_date", sa.Date(), nullable=True))
    op.create_check_constraint(
        op.f("ck_invoices_on_account_valid"),
        "invoices",
        "on_account_cents >= 0 AND on_account_cents <= total_incl_vat_cents"
        " AND (on_account_cents = 0) = (due_date IS NULL)",
    )
    op.create_table(
        "invoice_settlements",
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_invoice_settlements_amount_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_invoice_settlements_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_settlements_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_invoice_settlements_payment_id_payments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_invoice_settlements")),
        info={"append_only": True},
    )
    op.create_index(
        "ix_invoice_settlements_invoice", "invoice_settlements", ["invoice_id"], unique=False
    )
    op.execute(
        "CREATE TRIGGER invoice_settlements_issued_once BEFORE UPDATE OR DELETE"
        " ON invoice_settlements FOR EACH ROW EXECUTE FUNCTION invoicing_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER invoice_settlements_no_truncate BEFORE TRUNCATE ON invoice_settlements"
        " FOR EACH STATEMENT EXECUTE FUNCTION invoicing_refuse_change()"
    )
    op.create_table(
        "invoice_overdue_reminders",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("outstanding_cents", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_overdue_reminders_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("invoice_id", name=op.f("pk_invoice_overdue_reminders")),
    )
    op.create_table(
        "accounting_client_accounts",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_accounting_client_accounts_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_accounting_client_accounts")),
        sa.UniqueConstraint("number", name=op.f("uq_accounting_client_accounts_number")),
    )
    op.add_column(
        "accounting_entry_lines", sa.Column("aux_number", sa.String(length=20), nullable=True)
    )
    op.add_column(
        "accounting_entry_lines", sa.Column("aux_label", sa.String(length=200), nullable=True)
    )
    op.create_check_constraint(
        op.f("ck_accounting_entry_lines_aux_together"),
        "accounting_entry_lines",
        "(aux_number IS NULL) = (aux_label IS NULL)",
    )
    op.create_index(
        "ix_accounting_entry_lines_aux",
        "accounting_entry_lines",
        ["aux_number"],
        unique=False,
        postgresql_where=sa.text("aux_number IS NOT NULL"),
    )
    _source_kinds(SOURCE_KINDS)
    op.execute(CLIENTS_ROLE)


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute("DELETE FROM accounting_entries WHERE source_kind = 'credit_note'")
    _source_kinds(SOURCE_KINDS_BEFORE)
    op.drop_index(
        "ix_accounting_entry_lines_aux",
        table_name="accounting_entry_lines",
        postgresql_where=sa.text("aux_number IS NOT NULL"),
    )
    op.drop_constraint(
        op.f("ck_accounting_entry_lines_aux_together"), "accounting_entry_lines", type_="check"
    )
    op.drop_column("accounting_entry_lines", "aux_label")
    op.drop_column("accounting_entry_lines", "aux_number")
    op.drop_table("accounting_client_accounts")
    op.drop_table("invoice_overdue_reminders")
    op.execute("DROP TRIGGER invoice_settlements_no_truncate ON invoice_settlements")
    op.execute("DROP TRIGGER invoice_settlements_issued_once ON invoice_settlements")
    op.drop_index("ix_invoice_settlements_invoice", table_name="invoice_settlements")
    op.drop_table("invoice_settlements")
    op.drop_constraint(op.f("ck_invoices_on_account_valid"), "invoices", type_="check")
    op.drop_column("invoices", "due_date")
    op.drop_column("invoices", "on_account_cents")
