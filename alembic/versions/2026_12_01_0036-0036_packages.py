"""package_offers, packages, package_uses; booking_items.covered_by; a till line of kind
`package`; the prepaid packages' account (487000)

A package is a prepaid series of sessions (app/packages, docs/packages.md); a booking's
service a package pays for is `covered_by` it; the till sells packages on a line of kind
`package`, and the books hold what is not used yet in 487000 (role `prepaid_packages`).

Revision ID: 0036
Revises: 0031
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0036"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


OLD_KINDS = "kind IN ('service', 'product', 'fee')"
NEW_KINDS = "kind IN ('service', 'product', 'fee', 'package')"
OLD_ITEM = "(kind = 'service') = (service_id IS NOT NULL) AND (kind = 'product') = (product_id IS NOT NULL)"
NEW_ITEM = OLD_ITEM + " AND (kind = 'package') = (package_offer_id IS NOT NULL)"
# As 0032 (credit_note) and 0031 (provider_fee, payout, payout_failed) left it.
OLD_SOURCES = (
    "source_kind IN ('ticket', 'credit_ticket', 'payment', 'refund', 'gift_card_expiry', "
    "'deposit_kept', 'credit_note', 'provider_fee', 'payout', 'payout_failed')"
)
NEW_SOURCES = OLD_SOURCES[:-1] + ", 'package')"
SOURCE_CHECK = "ck_accounting_entries_source_kind_valid"
ACCOUNT = ("prepaid_packages", "487000", "Produits constatés d'avance - forfaits")


def _line_checks(kinds: str, item: str) -> None:
    for name in ("ck_sales_order_lines_kind_valid", "ck_sales_order_lines_item_of_kind"):
        op.drop_constraint(op.f(name), "sales_order_lines", type_="check")
    op.create_check_constraint(op.f("ck_sales_order_lines_kind_valid"), "sales_order_lines", kinds)
    op.create_check_constraint(op.f("ck_sales_order_lines_item_of_kind"), "sales_order_lines", item)


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "package_offers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("service_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("paid_sessions", sa.Integer(), nullable=False),
        sa.Column("free_sessions", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("unit_price_cents", sa.BigInteger(), nullable=False),
        sa.Column("validity_months", sa.Integer(), nullable=False),
        sa.Column("refund_policy", sa.String(length=16), nullable=False),
        sa.Column(
            "late_cancellation_forfeits",
            sa.Boolean(),
            server_default=sa.text("true"),
            nullable=False,
        ),
        sa.Column("no_show_forfeits", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("sold_online", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "refund_policy IN ('unit_price', 'pro_rata', 'none')",
            name=op.f("ck_package_offers_refund_policy_valid"),
        ),
        sa.CheckConstraint(
            "paid_sessions >= 1 AND free_sessions >= 0 AND price_cents >= 0 AND unit_price_cents >= 0 AND validity_months >= 1 AND cardinality(service_ids) >= 1",
            name=op.f("ck_package_offers_amounts_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package_offers")),
    )
    op.create_table(
        "packages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("offer_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("service_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("sessions_total", sa.Integer(), nullable=False),
        sa.Column("sessions_used", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("sessions_reserved", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("sessions_void", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("unit_price_cents", sa.BigInteger(), nullable=False),
        sa.Column("refund_policy", sa.String(length=16), nullable=False),
        sa.Column("late_cancellation_forfeits", sa.Boolean(), nullable=False),
        sa.Column("no_show_forfeits", sa.Boolean(), nullable=False),
        sa.Column("validity_months", sa.Integer(), nullable=False),
        sa.Column("recognised_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("refunded_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("source_key", sa.String(length=120), nullable=True),
        sa.Column("sold_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("channel IN ('online', 'till')", name=op.f("ck_packages_channel_valid")),
        sa.CheckConstraint(
            "status = 'pending_payment' OR expires_at IS NOT NULL",
            name=op.f("ck_packages_expiry_set"),
        ),
        sa.CheckConstraint(
            "status IN ('pending_payment', 'active', 'exhausted', 'expired', 'refunded', 'cancelled')",
            name=op.f("ck_packages_status_valid"),
        ),
        sa.CheckConstraint(
            "recognised_cents >= 0 AND refunded_cents >= 0 AND recognised_cents + refunded_cents <= price_cents",
            name=op.f("ck_packages_amounts_valid"),
        ),
        sa.CheckConstraint(
            "sessions_used >= 0 AND sessions_reserved >= 0 AND sessions_void >= 0 AND sessions_used + sessions_reserved + sessions_void <= sessions_total",
            name=op.f("ck_packages_sessions_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_packages_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["package_offers.id"],
            name=op.f("fk_packages_offer_id_package_offers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_packages_payment_id_payments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sold_by_user_id"],
            ["users.id"],
            name=op.f("fk_packages_sold_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packages")),
        sa.UniqueConstraint("source_key", name=op.f("uq_packages_source_key")),
    )
    op.create_index(
        "ix_packages_active_expiry",
        "packages",
        ["expires_at"],
        unique=False,
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_index(op.f("ix_packages_client_id"), "packages", ["client_id"], unique=False)
    op.create_index("ix_packages_created", "packages", ["created_at", "id"], unique=False)
    op.create_table(
        "package_uses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("package_id", sa.Uuid(), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revenue_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("reserved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('reserved', 'used', 'forfeited', 'released')",
            name=op.f("ck_package_uses_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_package_uses_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["packages.id"],
            name=op.f("fk_package_uses_package_id_packages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_package_uses_service_id_services"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package_uses")),
    )
    op.create_index(
        op.f("ix_package_uses_booking_id"), "package_uses", ["booking_id"], unique=False
    )
    op.create_index(
        op.f("ix_package_uses_package_id"), "package_uses", ["package_id"], unique=False
    )
    op.create_index(
        "uq_package_uses_live",
        "package_uses",
        ["booking_id", "position"],
        unique=True,
        postgresql_where=sa.text("status <> 'released'"),
    )
    op.add_column("booking_items", sa.Column("covered_by", sa.String(length=32), nullable=True))
    op.add_column("sales_order_lines", sa.Column("package_offer_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_sales_order_lines_package_offer_id_package_offers"),
        "sales_order_lines",
        "package_offers",
        ["package_offer_id"],
        ["id"],
        ondelete="RESTRICT",
    )
    _line_checks(NEW_KINDS, NEW_ITEM)
    op.drop_constraint(op.f(SOURCE_CHECK), "accounting_entries", type_="check")
    op.create_check_constraint(op.f(SOURCE_CHECK), "accounting_entries", NEW_SOURCES)
    accounts = sa.table(
        "accounting_accounts",
        sa.column("key", sa.String),
        sa.column("number", sa.String),
        sa.column("label", sa.String),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    key, number, label = ACCOUNT
    op.bulk_insert(
        accounts, [{"key": key, "number": number, "label": label, "updated_at": datetime.now(UTC)}]
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute(sa.text("DELETE FROM accounting_accounts WHERE key = :k").bindparams(k=ACCOUNT[0]))
    op.execute("DELETE FROM sales_order_lines WHERE kind = 'package'")
    _line_checks(OLD_KINDS, OLD_ITEM)
    op.drop_constraint(op.f(SOURCE_CHECK), "accounting_entries", type_="check")
    op.create_check_constraint(op.f(SOURCE_CHECK), "accounting_entries", OLD_SOURCES)
    op.drop_constraint(
        op.f("fk_sales_order_lines_package_offer_id_package_offers"),
        "sales_order_lines",
        type_="foreignkey",
    )
    op.drop_column("sales_order_lines", "package_offer_id")
    op.drop_column("booking_items", "covered_by")
    op.drop_index(
        "uq_package_uses_live",
        table_name="package_uses",
        postgresql_where=sa.text("status <> 'released'"),
    )
    op.drop_index(op.f("ix_package_uses_package_id"), table_name="package_uses")
    op.drop_index(op.f("ix_package_uses_booking_id"), table_name="package_uses")
    op.drop_table("package_uses")
    op.drop_index("ix_packages_created", table_name="packages")
    op.drop_index(op.f("ix_packages_client_id"), table_name="packages")
    op.drop_index(
        "ix_packages_active_expiry",
        table_name="packages",
        postgresql_where=sa.text("status = 'active'"),
    )
    op.drop_table("packages")
    op.drop_table("package_offers")
