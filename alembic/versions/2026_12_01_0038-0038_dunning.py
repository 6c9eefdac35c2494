"""dunning_cases, dunning_steps: the dunning of failed membership renewals

One case per failed renewal invoice and its state (past_due, suspended, recovered,
cancelled), and each step it took, once under its dedupe key `dunning:{case}:{step}`
(app/subscriptions/dunning.py, docs/subscriptions.md "Dunning").

Revision ID: 0038
Revises: 0037
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0038"
down_revision: str | None = "0037"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "dunning_cases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("stripe_invoice_id", sa.String(length=255), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), server_default=sa.text("'EUR'"), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decline_code", sa.String(length=64), nullable=True),
        sa.Column("hard", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("retries_done", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("card_retries", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_step_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("recovered_by", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(state IN ('past_due', 'suspended')) = (closed_at IS NULL) AND (closed_at IS NULL) = (outcome IS NULL) AND (recovered_by IS NULL OR outcome = 'recovered')",
            name=op.f("ck_dunning_cases_closed_consistent"),
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('recovered', 'cancelled', 'ended')",
            name=op.f("ck_dunning_cases_outcome_valid"),
        ),
        sa.CheckConstraint(
            "recovered_by IS NULL OR recovered_by IN ('retry', 'card_update', 'payment')",
            name=op.f("ck_dunning_cases_recovered_by_valid"),
        ),
        sa.CheckConstraint(
            "state IN ('past_due', 'suspended', 'recovered', 'cancelled')",
            name=op.f("ck_dunning_cases_state_valid"),
        ),
        sa.CheckConstraint(
            "amount_cents >= 0 AND retries_done >= 0 AND card_retries >= 0",
            name=op.f("ck_dunning_cases_counts_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["subscription_invoices.id"],
            name=op.f("fk_dunning_cases_invoice_id_subscription_invoices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_dunning_cases_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dunning_cases")),
        sa.UniqueConstraint("invoice_id", name=op.f("uq_dunning_cases_invoice_id")),
    )
    op.create_index(
        "ix_dunning_cases_due",
        "dunning_cases",
        ["next_step_at"],
        unique=False,
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.create_index(
        op.f("ix_dunning_cases_subscription_id"), "dunning_cases", ["subscription_id"], unique=False
    )
    op.create_table(
        "dunning_steps",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "detail",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["dunning_cases.id"],
            name=op.f("fk_dunning_steps_case_id_dunning_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dunning_steps")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_dunning_steps_dedupe_key")),
    )
    op.create_index(op.f("ix_dunning_steps_case_id"), "dunning_steps", ["case_id"], unique=False)


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_index(op.f("ix_dunning_steps_case_id"), table_name="dunning_steps")
    op.drop_table("dunning_steps")
    op.drop_index(op.f("ix_dunning_cases_subscription_id"), table_name="dunning_cases")
    op.drop_index(
        "ix_dunning_cases_due",
        table_name="dunning_cases",
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.drop_table("dunning_cases")
