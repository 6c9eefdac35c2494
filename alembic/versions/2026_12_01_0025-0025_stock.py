"""stock: stocked products, the movements ledger, recipes, counts, suppliers and purchase orders

`stock_items` holds each product's running totals, changed only together with a new row of
`stock_movements` under the item's row lock; PostgreSQL refuses an UPDATE of a movement
(a correction is a new movement). See docs/stock.md.

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels = None
depends_on = None

NEVER_EDITED = """
CREATE FUNCTION stock_movements_never_edited() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a stock movement is never edited: record a new one'
        USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER stock_movements_never_edited BEFORE UPDATE ON stock_movements
    FOR EACH ROW EXECUTE FUNCTION stock_movements_never_edited();
"""


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "stock_consumed_bookings",
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("consumed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("booking_id", name=op.f("pk_stock_consumed_bookings")),
    )
    op.create_table(
        "stock_suppliers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_suppliers")),
    )
    op.create_index("uq_stock_suppliers_name", "stock_suppliers", ["name"], unique=True)
    op.create_table(
        "stock_counts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=8), server_default=sa.text("'open'"), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_user_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "(status = 'closed') = (closed_at IS NOT NULL)",
            name=op.f("ck_stock_counts_closed_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'closed')", name=op.f("ck_stock_counts_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_user_id"],
            ["users.id"],
            name=op.f("fk_stock_counts_closed_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_user_id"],
            ["users.id"],
            name=op.f("fk_stock_counts_opened_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_counts")),
    )
    op.create_index("ix_stock_counts_opened_at", "stock_counts", ["opened_at"], unique=False)
    op.create_index(
        "uq_stock_counts_one_open",
        "stock_counts",
        ["status"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "stock_items",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("unit", sa.String(length=8), server_default=sa.text("'piece'"), nullable=False),
        sa.Column("pack_size", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("on_hand", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("value_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("low_threshold", sa.Integer(), nullable=True),
        sa.Column("low_alerted", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("low_alerts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("allow_negative", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("unit IN ('piece', 'ml', 'g')", name=op.f("ck_stock_items_unit_valid")),
        sa.CheckConstraint(
            "allow_negative OR on_hand >= 0", name=op.f("ck_stock_items_on_hand_not_negative")
        ),
        sa.CheckConstraint(
            "low_threshold IS NULL OR low_threshold >= 0",
            name=op.f("ck_stock_items_threshold_valid"),
        ),
        sa.CheckConstraint("pack_size > 0", name=op.f("ck_stock_items_pack_size_valid")),
        sa.CheckConstraint(
            "value_cents >= 0 AND (on_hand > 0 OR value_cents = 0)",
            name=op.f("ck_stock_items_value_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_stock_items_product_id_products"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_stock_items")),
    )
    op.create_table(
        "stock_purchase_orders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status", sa.String(length=20), server_default=sa.text("'ordered'"), nullable=False
        ),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ordered_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('ordered', 'partially_received', 'received', 'cancelled')",
            name=op.f("ck_stock_purchase_orders_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["ordered_by_user_id"],
            ["users.id"],
            name=op.f("fk_stock_purchase_orders_ordered_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["stock_suppliers.id"],
            name=op.f("fk_stock_purchase_orders_supplier_id_stock_suppliers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_purchase_orders")),
    )
    op.create_index(
        "ix_stock_purchase_orders_ordered_at", "stock_purchase_orders", ["ordered_at"], unique=False
    )
    op.create_table(
        "stock_count_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("count_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=True),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("difference", sa.Integer(), nullable=True),
        sa.Column("value_cents", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "counted IS NULL OR counted >= 0", name=op.f("ck_stock_count_lines_counted_valid")
        ),
        sa.ForeignKeyConstraint(
            ["count_id"],
            ["stock_counts.id"],
            name=op.f("fk_stock_count_lines_count_id_stock_counts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["stock_items.product_id"],
            name=op.f("fk_stock_count_lines_product_id_stock_items"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_count_lines")),
    )
    op.create_index(
        "uq_stock_count_lines_product", "stock_count_lines", ["count_id", "product_id"], unique=True
    )
    op.create_table(
        "stock_movements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("cause", sa.String(length=12), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("value_cents", sa.BigInteger(), nullable=False),
        sa.Column("unit_cost_cents", sa.Integer(), nullable=True),
        sa.Column("on_hand_after", sa.Integer(), nullable=False),
        sa.Column("value_after_cents", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("reference_kind", sa.String(length=16), nullable=True),
        sa.Column("reference_id", sa.Uuid(), nullable=True),
        sa.Column("supplier_id", sa.Uuid(), nullable=True),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(cause = 'delivery') = (unit_cost_cents IS NOT NULL)"
            " AND (unit_cost_cents IS NULL OR unit_cost_cents >= 0)",
            name=op.f("ck_stock_movements_unit_cost_valid"),
        ),
        sa.CheckConstraint(
            "(cause NOT IN ('sale', 'treatment', 'breakage') OR quantity < 0)"
            " AND (cause NOT IN ('return', 'delivery') OR quantity > 0)",
            name=op.f("ck_stock_movements_quantity_sign_valid"),
        ),
        sa.CheckConstraint(
            "cause <> 'adjustment' OR reason IS NOT NULL",
            name=op.f("ck_stock_movements_adjustment_reason"),
        ),
        sa.CheckConstraint(
            "cause <> 'count' OR reference_kind = 'count'",
            name=op.f("ck_stock_movements_count_reference"),
        ),
        sa.CheckConstraint(
            "cause IN ('sale', 'return', 'delivery', 'treatment', 'breakage', 'adjustment'"
            ", 'count')",
            name=op.f("ck_stock_movements_cause_valid"),
        ),
        sa.CheckConstraint(
            "reference_kind IN ('ticket', 'order', 'booking', 'purchase_order', 'count')",
            name=op.f("ck_stock_movements_reference_kind_valid"),
        ),
        sa.CheckConstraint(
            "(reference_kind IS NULL) = (reference_id IS NULL)",
            name=op.f("ck_stock_movements_reference_valid"),
        ),
        sa.CheckConstraint("quantity <> 0", name=op.f("ck_stock_movements_quantity_not_zero")),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["users.id"],
            name=op.f("fk_stock_movements_actor_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["stock_items.product_id"],
            name=op.f("fk_stock_movements_product_id_stock_items"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["stock_suppliers.id"],
            name=op.f("fk_stock_movements_supplier_id_stock_suppliers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
    )
    op.create_index("ix_stock_movements_at", "stock_movements", ["at"], unique=False)
    op.create_index(
        "ix_stock_movements_product_at", "stock_movements", ["product_id", "at"], unique=False
    )
    op.create_index(
        "ix_stock_movements_reference",
        "stock_movements",
        ["reference_kind", "reference_id"],
        unique=False,
    )
    op.create_table(
        "stock_purchase_order_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_cost_cents", sa.Integer(), nullable=False),
        sa.Column("received_quantity", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint(
            "quantity > 0 AND unit_cost_cents >= 0 AND received_quantity >= 0"
            " AND received_quantity <= quantity",
            name=op.f("ck_stock_purchase_order_lines_quantities_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["stock_purchase_orders.id"],
            name=op.f("fk_stock_purchase_order_lines_order_id_stock_purchase_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["stock_items.product_id"],
            name=op.f("fk_stock_purchase_order_lines_product_id_stock_items"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_purchase_order_lines")),
    )
    op.create_index(
        "uq_stock_purchase_order_lines_product",
        "stock_purchase_order_lines",
        ["order_id", "product_id"],
        unique=True,
    )
    op.create_table(
        "stock_recipe_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_stock_recipe_lines_quantity_valid")),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["stock_items.product_id"],
            name=op.f("fk_stock_recipe_lines_product_id_stock_items"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_stock_recipe_lines_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_recipe_lines")),
    )
    op.create_index(
        "ix_stock_recipe_lines_product", "stock_recipe_lines", ["product_id"], unique=False
    )
    op.create_index(
        "uq_stock_recipe_lines_service_product",
        "stock_recipe_lines",
        ["service_id", "product_id"],
        unique=True,
    )
    op.execute(NEVER_EDITED)


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute("DROP TRIGGER stock_movements_never_edited ON stock_movements")
    op.execute("DROP FUNCTION stock_movements_never_edited()")
    op.drop_index("uq_stock_recipe_lines_service_product", table_name="stock_recipe_lines")
    op.drop_index("ix_stock_recipe_lines_product", table_name="stock_recipe_lines")
    op.drop_table("stock_recipe_lines")
    op.drop_index("uq_stock_purchase_order_lines_product", table_name="stock_purchase_order_lines")
    op.drop_table("stock_purchase_order_lines")
    op.drop_index("ix_stock_movements_reference", table_name="stock_movements")
    op.drop_index("ix_stock_movements_product_at", table_name="stock_movements")
    op.drop_index("ix_stock_movements_at", table_name="stock_movements")
    op.drop_table("stock_movements")
    op.drop_index("uq_stock_count_lines_product", table_name="stock_count_lines")
    op.drop_table("stock_count_lines")
    op.drop_index("ix_stock_purchase_orders_ordered_at", table_name="stock_purchase_orders")
    op.drop_table("stock_purchase_orders")
    op.drop_table("stock_items")
    op.drop_index(
        "uq_stock_counts_one_open",
        table_name="stock_counts",
        postgresql_where=sa.text("status = 'open'"),
    )
    op.drop_index("ix_stock_counts_opened_at", table_name="stock_counts")
    op.drop_table("stock_counts")
    op.drop_index("uq_stock_suppliers_name", table_name="stock_suppliers")
    op.drop_table("stock_suppliers")
    op.drop_table("stock_consumed_bookings")
