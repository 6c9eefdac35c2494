"""Payments: payments, refunds, provider events, tips, card readers, saved cards; the
deposit policy setting; one outbox row per subscriber.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "terminal_readers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("provider_reader_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("model", sa.String(length=32), nullable=True),
        sa.Column("serial_number", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminal_readers")),
    )
    op.create_index(
        "uq_terminal_readers_provider_ref",
        "terminal_readers",
        ["provider", "provider_reader_id"],
        unique=True,
        postgresql_where=sa.text("removed_at IS NULL"),
    )
    op.create_table(
        "provider_customers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("customer_ref", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_provider_customers_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_customers")),
    )
    op.create_index(
        "uq_provider_customers_client", "provider_customers", ["client_id", "provider"], unique=True
    )
    op.create_index(
        "uq_provider_customers_ref", "provider_customers", ["provider", "customer_ref"], unique=True
    )
    op.create_table(
        "saved_cards",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("setup_ref", sa.String(length=100), nullable=False),
        sa.Column("payment_method_ref", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("brand", sa.String(length=32), nullable=True),
        sa.Column("last4", sa.String(length=4), nullable=True),
        sa.Column("consent_text", sa.Text(), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'active', 'removed')", name=op.f("ck_saved_cards_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_saved_cards_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_cards")),
    )
    op.create_index("ix_saved_cards_client", "saved_cards", ["client_id"], unique=False)
    op.create_index("uq_saved_cards_setup", "saved_cards", ["provider", "setup_ref"], unique=True)
    op.create_table(
        "payments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("tip_cents", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("refunded_cents", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=True),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("provider_ref", sa.String(length=100), nullable=True),
        sa.Column("provider_charge_ref", sa.String(length=100), nullable=True),
        sa.Column("provider_session_ref", sa.String(length=100), nullable=True),
        sa.Column("approval_url", sa.Text(), nullable=True),
        sa.Column("reader_id", sa.Uuid(), nullable=True),
        sa.Column("failure_code", sa.String(length=100), nullable=True),
        sa.Column("failure_message", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("taken_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f("ck_payments_currency_valid")),
        sa.CheckConstraint(
            "method IN ('stripe', 'paypal', 'sumup_terminal', 'cash', 'gift_card', 'bank_transfer')",
            name=op.f("ck_payments_method_valid"),
        ),
        sa.CheckConstraint(
            "provider IN ('stripe', 'paypal', 'sumup', 'console', 'none')",
            name=op.f("ck_payments_provider_valid"),
        ),
        sa.CheckConstraint(
            "purpose IN ('deposit', 'balance', 'full', 'tip', 'no_show_fee')",
            name=op.f("ck_payments_purpose_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'requires_action', 'succeeded', 'failed', 'cancelled', 'refunded', 'partially_refunded')",
            name=op.f("ck_payments_status_valid"),
        ),
        sa.CheckConstraint(
            "subject_kind IN ('booking', 'order', 'gift_card', 'subscription')",
            name=op.f("ck_payments_subject_kind_valid"),
        ),
        sa.CheckConstraint(
            "amount_cents > 0 AND tip_cents >= 0 AND tip_cents <= amount_cents AND refunded_cents >= 0 AND refunded_cents <= amount_cents",
            name=op.f("ck_payments_amounts_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_payments_booking_id_bookings"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_payments_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reader_id"],
            ["terminal_readers.id"],
            name=op.f("fk_payments_reader_id_terminal_readers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["taken_by_user_id"],
            ["users.id"],
            name=op.f("fk_payments_taken_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    op.create_index("ix_payments_booking", "payments", ["booking_id"], unique=False)
    op.create_index(
        "ix_payments_client_created", "payments", ["client_id", "created_at"], unique=False
    )
    op.create_index("ix_payments_created", "payments", ["created_at"], unique=False)
    op.create_index(
        "ix_payments_open_terminal",
        "payments",
        ["created_at"],
        unique=False,
        postgresql_where=sa.text(
            "method = 'sumup_terminal' AND status IN ('pending', 'requires_action')"
        ),
    )
    op.create_index("ix_payments_subject", "payments", ["subject_kind", "subject_id"], unique=False)
    op.create_index("ix_payments_succeeded", "payments", ["succeeded_at"], unique=False)
    op.create_index(
        "uq_payments_open_deposit",
        "payments",
        ["booking_id", "method"],
        unique=True,
        postgresql_where=sa.text(
            "purpose = 'deposit' AND status IN ('pending', 'requires_action')"
        ),
    )
    op.create_index(
        "uq_payments_provider_ref",
        "payments",
        ["provider", "provider_ref"],
        unique=True,
        postgresql_where=sa.text("provider_ref IS NOT NULL"),
    )
    op.create_table(
        "provider_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('applied', 'ignored', 'unmatched')",
            name=op.f("ck_provider_events_outcome_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_provider_events_payment_id_payments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_events")),
    )
    op.create_index(
        op.f("ix_provider_events_payment_id"), "provider_events", ["payment_id"], unique=False
    )
    op.create_index("ix_provider_events_received", "provider_events", ["received_at"], unique=False)
    op.create_index(
        "uq_provider_events_event", "provider_events", ["provider", "event_id"], unique=True
    )
    op.create_table(
        "refunds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("automatic", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("provider_ref", sa.String(length=100), nullable=True),
        sa.Column("failure_message", sa.Text(), nullable=True),
        sa.Column("requested_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'succeeded', 'failed')", name=op.f("ck_refunds_status_valid")
        ),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_refunds_amount_positive")),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_refunds_payment_id_payments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"],
            ["users.id"],
            name=op.f("fk_refunds_requested_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
    )
    op.create_index("ix_refunds_created", "refunds", ["created_at"], unique=False)
    op.create_index("ix_refunds_payment", "refunds", ["payment_id"], unique=False)
    op.create_index(
        "uq_refunds_provider_ref",
        "refunds",
        ["provider_ref"],
        unique=True,
        postgresql_where=sa.text("provider_ref IS NOT NULL"),
    )
    op.create_table(
        "tips",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("practitioner_id", sa.Uuid(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_out_by_user_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_tips_amount_positive")),
        sa.ForeignKeyConstraint(
            ["paid_out_by_user_id"],
            ["users.id"],
            name=op.f("fk_tips_paid_out_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_tips_payment_id_payments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_tips_practitioner_id_practitioners"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tips")),
    )
    op.create_index("ix_tips_payment", "tips", ["payment_id"], unique=False)
    op.create_index(
        "ix_tips_practitioner_created", "tips", ["practitioner_id", "created_at"], unique=False
    )
    op.create_table(
        "payment_logs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("provider_event_id", sa.Uuid(), nullable=True),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["users.id"],
            name=op.f("fk_payment_logs_actor_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_payment_logs_payment_id_payments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_event_id"],
            ["provider_events.id"],
            name=op.f("fk_payment_logs_provider_event_id_provider_events"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_logs")),
    )
    op.create_index(
        op.f("ix_payment_logs_payment_id"), "payment_logs", ["payment_id"], unique=False
    )
    op.add_column(
        "booking_rules",
        sa.Column(
            "deposit_policy",
            sa.String(length=8),
            server_default=sa.text("'arrhes'"),
            nullable=False,
        ),
    )
    op.add_column(
        "outbox_events",
        sa.Column(
            "subscriber", sa.String(length=200), server_default=sa.text("''"), nullable=False
        ),
    )
    op.create_check_constraint(
        op.f("ck_booking_rules_deposit_policy_valid"),
        "booking_rules",
        "deposit_policy IN ('arrhes', 'acompte')",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("ck_booking_rules_deposit_policy_valid"), "booking_rules", type_="check"
    )
    op.drop_column("outbox_events", "subscriber")
    op.drop_column("booking_rules", "deposit_policy")
    op.drop_index(op.f("ix_payment_logs_payment_id"), table_name="payment_logs")
    op.drop_table("payment_logs")
    op.drop_index("ix_tips_practitioner_created", table_name="tips")
    op.drop_index("ix_tips_payment", table_name="tips")
    op.drop_table("tips")
    op.drop_index(
        "uq_refunds_provider_ref",
        table_name="refunds",
        postgresql_where=sa.text("provider_ref IS NOT NULL"),
    )
    op.drop_index("ix_refunds_payment", table_name="refunds")
    op.drop_index("ix_refunds_created", table_name="refunds")
    op.drop_table("refunds")
    op.drop_index("uq_provider_events_event", table_name="provider_events")
    op.drop_index("ix_provider_events_received", table_name="provider_events")
    op.drop_index(op.f("ix_provider_events_payment_id"), table_name="provider_events")
    op.drop_table("provider_events")
    op.drop_index(
        "uq_payments_provider_ref",
        table_name="payments",
        postgresql_where=sa.text("provider_ref IS NOT NULL"),
    )
    op.drop_index(
        "uq_payments_open_deposit",
        table_name="payments",
        postgresql_where=sa.text(
            "purpose = 'deposit' AND status IN ('pending', 'requires_action')"
        ),
    )
    op.drop_index("ix_payments_succeeded", table_name="payments")
    op.drop_index("ix_payments_subject", table_name="payments")
    op.drop_index(
        "ix_payments_open_terminal",
        table_name="payments",
        postgresql_where=sa.text(
            "method = 'sumup_terminal' AND status IN ('pending', 'requires_action')"
        ),
    )
    op.drop_index("ix_payments_created", table_name="payments")
    op.drop_index("ix_payments_client_created", table_name="payments")
    op.drop_index("ix_payments_booking", table_name="payments")
    op.drop_table("payments")
    op.drop_index("uq_saved_cards_setup", table_name="saved_cards")
    op.drop_index("ix_saved_cards_client", table_name="saved_cards")
    op.drop_table("saved_cards")
    op.drop_index("uq_provider_customers_ref", table_name="provider_customers")
    op.drop_index("uq_provider_customers_client", table_name="provider_customers")
    op.drop_table("provider_customers")
    op.drop_index(
        "uq_terminal_readers_provider_ref",
        table_name="terminal_readers",
        postgresql_where=sa.text("removed_at IS NULL"),
    )
    op.drop_table("terminal_readers")
