"""subscription_plans, subscription_plan_allowances, subscriptions, subscription_invoices,
subscription_allowances, subscription_allowance_uses, subscription_events

Memberships followed through Stripe Billing (app/subscriptions, docs/subscriptions.md): the
plans and the services they include, the clients' subscriptions, their invoices, the allowance
of each period and its uses by bookings, and one timeline per subscription shared with the
dunning (`subscription_events`, written once per `dedupe_key`).

Revision ID: 0037
Revises: 0035
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0037"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As 0036 left it; a membership's paid invoice posts an entry of its own kind.
OLD_SOURCES = (
    "source_kind IN ('ticket', 'credit_ticket', 'payment', 'refund', 'gift_card_expiry', "
    "'deposit_kept', 'credit_note', 'provider_fee', 'payout', 'payout_failed', 'package')"
)
NEW_SOURCES = OLD_SOURCES[:-1] + ", 'subscription')"
SOURCE_CHECK = "ck_accounting_entries_source_kind_valid"


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_constraint(op.f(SOURCE_CHECK), "accounting_entries", type_="check")
    op.create_check_constraint(op.f(SOURCE_CHECK), "accounting_entries", NEW_SOURCES)
    op.create_table(
        "subscription_plans",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("interval", sa.String(length=8), nullable=False),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("carry_over", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("max_carry_over", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "product_discount_percent", sa.Integer(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column(
            "service_discount_percent", sa.Integer(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("commitment_months", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "cancellation_notice_days", sa.Integer(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("client_may_pause", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "client_may_cancel", sa.Boolean(), server_default=sa.text("true"), nullable=False
        ),
        sa.Column("max_pause_months", sa.Integer(), server_default=sa.text("3"), nullable=False),
        sa.Column(
            "late_cancellation_forfeits",
            sa.Boolean(),
            server_default=sa.text("true"),
            nullable=False,
        ),
        sa.Column("no_show_forfeits", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("stripe_product_id", sa.String(length=64), nullable=True),
        sa.Column("stripe_price_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "interval IN ('month', 'year')", name=op.f("ck_subscription_plans_interval_valid")
        ),
        sa.CheckConstraint(
            "price_cents > 0 AND max_carry_over >= 0 AND commitment_months >= 0 AND cancellation_notice_days >= 0 AND max_pause_months >= 0 AND product_discount_percent BETWEEN 0 AND 100 AND service_discount_percent BETWEEN 0 AND 100",
            name=op.f("ck_subscription_plans_terms_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_plans")),
    )
    op.create_index(
        "ix_subscription_plans_created", "subscription_plans", ["created_at", "id"], unique=False
    )
    op.create_table(
        "subscription_plan_allowances",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("sessions_per_period", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "sessions_per_period >= 1", name=op.f("ck_subscription_plan_allowances_sessions_valid")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["subscription_plans.id"],
            name=op.f("fk_subscription_plan_allowances_plan_id_subscription_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_subscription_plan_allowances_service_id_services"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_plan_allowances")),
    )
    op.create_index(
        op.f("ix_subscription_plan_allowances_plan_id"),
        "subscription_plan_allowances",
        ["plan_id"],
        unique=False,
    )
    op.create_index(
        "uq_subscription_plan_allowances",
        "subscription_plan_allowances",
        ["plan_id", "service_id"],
        unique=True,
    )
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("stripe_subscription_id", sa.String(length=64), nullable=True),
        sa.Column("stripe_customer_id", sa.String(length=64), nullable=True),
        sa.Column("current_period_start_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("current_period_end_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("commitment_end_date", sa.Date(), nullable=True),
        sa.Column(
            "cancel_at_period_end", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("pause_resumes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(length=200), nullable=True),
        sa.Column(
            "stripe_event_created", sa.BigInteger(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('online', 'desk')", name=op.f("ck_subscriptions_channel_valid")
        ),
        sa.CheckConstraint(
            "status IN ('incomplete', 'active', 'past_due', 'suspended', 'paused', 'cancelled')",
            name=op.f("ck_subscriptions_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_subscriptions_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_subscriptions_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["subscription_plans.id"],
            name=op.f("fk_subscriptions_plan_id_subscription_plans"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint(
            "stripe_subscription_id", name=op.f("uq_subscriptions_stripe_subscription_id")
        ),
    )
    op.create_index(
        op.f("ix_subscriptions_client_id"), "subscriptions", ["client_id"], unique=False
    )
    op.create_index("ix_subscriptions_created", "subscriptions", ["created_at", "id"], unique=False)
    op.create_index(
        "uq_subscriptions_live_per_client_plan",
        "subscriptions",
        ["client_id", "plan_id"],
        unique=True,
        postgresql_where=sa.text("status NOT IN ('cancelled', 'incomplete')"),
    )
    op.create_table(
        "subscription_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column(
            "detail",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_subscription_events_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_events")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_subscription_events_dedupe_key")),
    )
    op.create_index(
        "ix_subscription_events_timeline",
        "subscription_events",
        ["subscription_id", "at", "id"],
        unique=False,
    )
    op.create_table(
        "subscription_invoices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("stripe_invoice_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("billing_reason", sa.String(length=40), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("vat_rate", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), server_default=sa.text("'EUR'"), nullable=False),
        sa.Column("period_start_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("period_end_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hosted_invoice_url", sa.Text(), nullable=True),
        sa.Column("attempt_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("decline_code", sa.String(length=64), nullable=True),
        sa.Column("next_payment_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "stripe_event_created", sa.BigInteger(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'paid', 'failed', 'void')",
            name=op.f("ck_subscription_invoices_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_subscription_invoices_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_invoices")),
        sa.UniqueConstraint(
            "stripe_invoice_id", name=op.f("uq_subscription_invoices_stripe_invoice_id")
        ),
    )
    op.create_index(
        op.f("ix_subscription_invoices_subscription_id"),
        "subscription_invoices",
        ["subscription_id"],
        unique=False,
    )
    op.create_table(
        "subscription_allowances",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=True),
        sa.Column("period_start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("granted", sa.Integer(), nullable=False),
        sa.Column("carried_in", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("reserved", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("used", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("returned", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "granted >= 0 AND carried_in >= 0 AND reserved >= 0 AND used >= 0 AND returned >= 0 AND reserved + used <= granted + carried_in",
            name=op.f("ck_subscription_allowances_sessions_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["subscription_invoices.id"],
            name=op.f("fk_subscription_allowances_invoice_id_subscription_invoices"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_subscription_allowances_service_id_services"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_subscription_allowances_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_allowances")),
    )
    op.create_index(
        op.f("ix_subscription_allowances_subscription_id"),
        "subscription_allowances",
        ["subscription_id"],
        unique=False,
    )
    op.create_index(
        "uq_subscription_allowances_period",
        "subscription_allowances",
        ["subscription_id", "service_id", "period_start_at"],
        unique=True,
    )
    op.create_table(
        "subscription_allowance_uses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("allowance_id", sa.Uuid(), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reserved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('reserved', 'used', 'forfeited', 'released')",
            name=op.f("ck_subscription_allowance_uses_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["allowance_id"],
            ["subscription_allowances.id"],
            name=op.f("fk_subscription_allowance_uses_allowance_id_subscription_allowances"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_subscription_allowance_uses_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_subscription_allowance_uses_service_id_services"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_allowance_uses")),
    )
    op.create_index(
        op.f("ix_subscription_allowance_uses_allowance_id"),
        "subscription_allowance_uses",
        ["allowance_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_subscription_allowance_uses_booking_id"),
        "subscription_allowance_uses",
        ["booking_id"],
        unique=False,
    )
    op.create_index(
        "uq_subscription_allowance_uses_live",
        "subscription_allowance_uses",
        ["booking_id", "position"],
        unique=True,
        postgresql_where=sa.text("status <> 'released'"),
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_constraint(op.f(SOURCE_CHECK), "accounting_entries", type_="check")
    op.create_check_constraint(op.f(SOURCE_CHECK), "accounting_entries", OLD_SOURCES)
    op.drop_index(
        "uq_subscription_allowance_uses_live",
        table_name="subscription_allowance_uses",
        postgresql_where=sa.text("status <> 'released'"),
    )
    op.drop_index(
        op.f("ix_subscription_allowance_uses_booking_id"), table_name="subscription_allowance_uses"
    )
    op.drop_index(
        op.f("ix_subscription_allowance_uses_allowance_id"),
        table_name="subscription_allowance_uses",
    )
    op.drop_table("subscription_allowance_uses")
    op.drop_index("uq_subscription_allowances_period", table_name="subscription_allowances")
    op.drop_index(
        op.f("ix_subscription_allowances_subscription_id"), table_name="subscription_allowances"
    )
    op.drop_table("subscription_allowances")
    op.drop_index(
        op.f("ix_subscription_invoices_subscription_id"), table_name="subscription_invoices"
    )
    op.drop_table("subscription_invoices")
    op.drop_index("ix_subscription_events_timeline", table_name="subscription_events")
    op.drop_table("subscription_events")
    op.drop_index(
        "uq_subscriptions_live_per_client_plan",
        table_name="subscriptions",
        postgresql_where=sa.text("status NOT IN ('cancelled', 'incomplete')"),
    )
    op.drop_index("ix_subscriptions_created", table_name="subscriptions")
    op.drop_index(op.f("ix_subscriptions_client_id"), table_name="subscriptions")
    op.drop_table("subscriptions")
    op.drop_index("uq_subscription_plan_allowances", table_name="subscription_plan_allowances")
    op.drop_index(
        op.f("ix_subscription_plan_allowances_plan_id"), table_name="subscription_plan_allowances"
    )
    op.drop_table("subscription_plan_allowances")
    op.drop_index("ix_subscription_plans_created", table_name="subscription_plans")
    op.drop_table("subscription_plans")
