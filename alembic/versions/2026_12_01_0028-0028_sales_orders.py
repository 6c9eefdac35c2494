"""sales_orders, their lines, tenders and credit notes; document_counters (numbers without
gaps: tickets, credit tickets, later invoices); bookings.order_id (the till's order that took
a booking over); products.barcode (EAN-13, scanned at the till); an index on journal records
by chain and date (the reports)

Revision ID: 0028
Revises: 0027
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "document_counters",
        sa.Column("series", sa.String(length=40), nullable=False),
        sa.Column("last_value", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("last_value >= 0", name=op.f("ck_document_counters_last_value_valid")),
        sa.PrimaryKeyConstraint("series", name=op.f("pk_document_counters")),
    )
    op.create_table(
        "sales_orders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=True),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("training", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("prepaid_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("discount_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("discount_reason", sa.String(length=200), nullable=True),
        sa.Column("promo_code", sa.String(length=64), nullable=True),
        sa.Column(
            "print_client_name", sa.Boolean(), server_default=sa.text("true"), nullable=False
        ),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ticket_record_id", sa.Uuid(), nullable=True),
        sa.Column("ticket_number", sa.String(length=40), nullable=True),
        sa.CheckConstraint(
            "(status = 'completed') = (ticket_record_id IS NOT NULL)",
            name=op.f("ck_sales_orders_ticket_when_completed"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'completed', 'cancelled')",
            name=op.f("ck_sales_orders_status_valid"),
        ),
        sa.CheckConstraint(
            "total_cents >= 0 AND discount_cents >= 0 AND prepaid_cents >= 0",
            name=op.f("ck_sales_orders_amounts_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_sales_orders_booking_id_bookings"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_sales_orders_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_sales_orders_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["register_id"],
            ["cash_registers.id"],
            name=op.f("fk_sales_orders_register_id_cash_registers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_orders")),
    )
    op.create_index("ix_sales_orders_client", "sales_orders", ["client_id"], unique=False)
    op.create_index(
        "ix_sales_orders_status_created", "sales_orders", ["status", "created_at"], unique=False
    )
    op.create_index(
        "uq_sales_orders_booking",
        "sales_orders",
        ["booking_id"],
        unique=True,
        postgresql_where=sa.text("booking_id IS NOT NULL AND status <> 'cancelled'"),
    )
    op.create_table(
        "sales_credits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_record_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_number", sa.String(length=40), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_sales_credits_amount_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_sales_credits_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["sales_orders.id"],
            name=op.f("fk_sales_credits_order_id_sales_orders"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_credits")),
    )
    op.create_index("ix_sales_credits_order", "sales_credits", ["order_id"], unique=False)
    op.create_table(
        "sales_order_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=True),
        sa.Column("product_id", sa.Uuid(), nullable=True),
        sa.Column("practitioner_id", sa.Uuid(), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("discount_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("discount_reason", sa.String(length=200), nullable=True),
        sa.Column("from_booking", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("returned_quantity", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint(
            "(kind = 'service') = (service_id IS NOT NULL) AND (kind = 'product') = (product_id IS NOT NULL)",
            name=op.f("ck_sales_order_lines_item_of_kind"),
        ),
        sa.CheckConstraint(
            "kind IN ('service', 'product', 'fee')", name=op.f("ck_sales_order_lines_kind_valid")
        ),
        sa.CheckConstraint(
            "quantity > 0 AND unit_price_cents >= 0 AND discount_cents >= 0 AND discount_cents <= quantity * unit_price_cents AND returned_quantity >= 0 AND returned_quantity <= quantity",
            name=op.f("ck_sales_order_lines_amounts_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["sales_orders.id"],
            name=op.f("fk_sales_order_lines_order_id_sales_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_sales_order_lines_practitioner_id_practitioners"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_sales_order_lines_product_id_products"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_sales_order_lines_service_id_services"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_order_lines")),
        sa.UniqueConstraint("order_id", "position", name="uq_sales_order_lines_position"),
    )
    op.create_table(
        "sales_order_tenders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("tip_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("change_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("refunded_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "change_cents = 0 OR method = 'cash'",
            name=op.f("ck_sales_order_tenders_change_in_cash"),
        ),
        sa.CheckConstraint(
            "amount_cents >= 0 AND tip_cents >= 0 AND change_cents >= 0 AND refunded_cents >= 0 AND refunded_cents <= amount_cents",
            name=op.f("ck_sales_order_tenders_amounts_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["sales_orders.id"],
            name=op.f("fk_sales_order_tenders_order_id_sales_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_sales_order_tenders_payment_id_payments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_order_tenders")),
        sa.UniqueConstraint("order_id", "payment_id", name="uq_sales_order_tenders_payment"),
    )
    op.create_index(
        "ix_sales_order_tenders_payment", "sales_order_tenders", ["payment_id"], unique=False
    )
    op.add_column("bookings", sa.Column("order_id", sa.Uuid(), nullable=True))
    op.add_column("products", sa.Column("barcode", sa.String(length=13), nullable=True))
    op.create_unique_constraint(op.f("uq_products_barcode"), "products", ["barcode"])
    op.create_index(
        "ix_journal_records_chain_recorded", "journal_records", ["chain", "recorded_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_journal_records_chain_recorded", table_name="journal_records")
    op.drop_constraint(op.f("uq_products_barcode"), "products", type_="unique")
    op.drop_column("products", "barcode")
    op.drop_column("bookings", "order_id")
    op.drop_index("ix_sales_order_tenders_payment", table_name="sales_order_tenders")
    op.drop_table("sales_order_tenders")
    op.drop_table("sales_order_lines")
    op.drop_index("ix_sales_credits_order", table_name="sales_credits")
    op.drop_table("sales_credits")
    op.drop_index(
        "uq_sales_orders_booking",
        table_name="sales_orders",
        postgresql_where=sa.text("booking_id IS NOT NULL AND status <> 'cancelled'"),
    )
    op.drop_index("ix_sales_orders_status_created", table_name="sales_orders")
    op.drop_index("ix_sales_orders_client", table_name="sales_orders")
    op.drop_table("sales_orders")
    op.drop_table("document_counters")
