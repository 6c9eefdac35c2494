"""invoices and invoice_lines (credit notes are invoices of kind credit_note), issued once:
a trigger refuses any change but a client merge's, and any delete; clients.company_name,
siren, siret, vat_number (business clients)

Revision ID: 0030
Revises: 0029
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Only a merge of two client records may touch an issued document: its client_id.
REFUSE_CHANGE = """
CREATE FUNCTION invoicing_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'client_id') = (to_jsonb(OLD) - 'client_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'invoicing: % on % is refused (an issued invoice is never changed; issue a credit note)',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END
$$
"""
TABLES = ("invoices", "invoice_lines")


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "invoices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("series", sa.String(length=40), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("source_number", sa.String(length=40), nullable=True),
        sa.Column("credited_invoice_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("buyer_name", sa.String(length=200), nullable=False),
        sa.Column("buyer_company", sa.String(length=200), nullable=True),
        sa.Column("buyer_siren", sa.String(length=9), nullable=True),
        sa.Column("buyer_siret", sa.String(length=14), nullable=True),
        sa.Column("buyer_vat_number", sa.String(length=20), nullable=True),
        sa.Column("buyer_address", sa.Text(), nullable=True),
        sa.Column("buyer_email", sa.String(length=320), nullable=True),
        sa.Column("delivery_address", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), server_default=sa.text("'EUR'"), nullable=False),
        sa.Column("total_excl_vat_cents", sa.BigInteger(), nullable=False),
        sa.Column("total_vat_cents", sa.BigInteger(), nullable=False),
        sa.Column("total_incl_vat_cents", sa.BigInteger(), nullable=False),
        sa.Column("paid_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payment_methods", sa.String(length=200), nullable=True),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'credit_note') = (credited_invoice_id IS NOT NULL)",
            name=op.f("ck_invoices_credit_names_invoice"),
        ),
        sa.CheckConstraint(
            "category IN ('goods', 'services', 'both')", name=op.f("ck_invoices_category_valid")
        ),
        sa.CheckConstraint(
            "kind IN ('invoice', 'credit_note')", name=op.f("ck_invoices_kind_valid")
        ),
        sa.CheckConstraint(
            "source_kind IN ('ticket', 'booking', 'gift_card')",
            name=op.f("ck_invoices_source_kind_valid"),
        ),
        sa.CheckConstraint(
            "total_excl_vat_cents + total_vat_cents = total_incl_vat_cents AND total_incl_vat_cents >= 0 AND paid_cents >= 0",
            name=op.f("ck_invoices_totals_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_invoices_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_invoices_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["credited_invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoices_credited_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
        sa.UniqueConstraint("series", "sequence", name="uq_invoices_series_sequence"),
        info={"append_only": True},
    )
    op.create_index("ix_invoices_client", "invoices", ["client_id"], unique=False)
    op.create_index("ix_invoices_credited", "invoices", ["credited_invoice_id"], unique=False)
    op.create_index("ix_invoices_issued", "invoices", ["issued_at", "id"], unique=False)
    op.create_index(
        "uq_invoices_source",
        "invoices",
        ["source_kind", "source_id"],
        unique=True,
        postgresql_where=sa.text("kind = 'invoice'"),
    )
    op.create_table(
        "invoice_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_incl_vat_cents", sa.BigInteger(), nullable=False),
        sa.Column(
            "discount_incl_vat_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("unit_price_excl_vat_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column(
            "vat_category", sa.String(length=1), server_default=sa.text("'S'"), nullable=False
        ),
        sa.Column("total_excl_vat_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_cents", sa.BigInteger(), nullable=False),
        sa.Column("total_incl_vat_cents", sa.BigInteger(), nullable=False),
        sa.Column("credited_line_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('service', 'product', 'fee', 'gift_card')",
            name=op.f("ck_invoice_lines_kind_valid"),
        ),
        sa.CheckConstraint(
            "vat_category IN ('S', 'O')", name=op.f("ck_invoice_lines_vat_category_valid")
        ),
        sa.CheckConstraint(
            "vat_category = 'S' OR (vat_rate = 0 AND vat_cents = 0)",
            name=op.f("ck_invoice_lines_outside_vat"),
        ),
        sa.CheckConstraint(
            "quantity > 0 AND total_excl_vat_cents + vat_cents = total_incl_vat_cents AND unit_price_incl_vat_cents >= 0 AND discount_incl_vat_cents >= 0",
            name=op.f("ck_invoice_lines_amounts_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["credited_line_id"],
            ["invoice_lines.id"],
            name=op.f("fk_invoice_lines_credited_line_id_invoice_lines"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_lines_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_lines")),
        sa.UniqueConstraint("invoice_id", "position", name="uq_invoice_lines_position"),
        info={"append_only": True},
    )
    op.create_index(
        "ix_invoice_lines_credited", "invoice_lines", ["credited_line_id"], unique=False
    )
    op.add_column("clients", sa.Column("company_name", sa.String(length=200), nullable=True))
    op.add_column("clients", sa.Column("siren", sa.String(length=9), nullable=True))
    op.add_column("clients", sa.Column("siret", sa.String(length=14), nullable=True))
    op.add_column("clients", sa.Column("vat_number", sa.String(length=20), nullable=True))
    op.execute(REFUSE_CHANGE)
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_issued_once BEFORE UPDATE OR DELETE ON {table}"
            " FOR EACH ROW EXECUTE FUNCTION invoicing_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION invoicing_refuse_change()"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute(f"DROP TRIGGER {table}_issued_once ON {table}")
    op.execute("DROP FUNCTION invoicing_refuse_change()")
    op.drop_column("clients", "vat_number")
    op.drop_column("clients", "siret")
    op.drop_column("clients", "siren")
    op.drop_column("clients", "company_name")
    op.drop_index("ix_invoice_lines_credited", table_name="invoice_lines")
    op.drop_table("invoice_lines")
    op.drop_index(
        "uq_invoices_source", table_name="invoices", postgresql_where=sa.text("kind = 'invoice'")
    )
    op.drop_index("ix_invoices_issued", table_name="invoices")
    op.drop_index("ix_invoices_credited", table_name="invoices")
    op.drop_index("ix_invoices_client", table_name="invoices")
    op.drop_table("invoices")
