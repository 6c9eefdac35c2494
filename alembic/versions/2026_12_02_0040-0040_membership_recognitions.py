"""accounting_membership_recognitions; the prepaid memberships' account (487100)

A membership whose plan includes services is paid for a period: its price without VAT is a
prepayment (role `prepaid_memberships`, 487100, beside the packages' 487000) recognised as
revenue month by month over the period (docs/subscriptions.md, "Accounting"). One row per
such invoice says what is left to recognise.

Revision ID: 0040
Revises: 0039
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0040"
down_revision: str | None = "0039"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACCOUNT = ("prepaid_memberships", "487100", "Produits constatés d'avance - abonnements")


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "accounting_membership_recognitions",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("period_start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("net_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("recognised_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "period_end_at >= period_start_at AND recognised_cents BETWEEN 0 AND net_cents",
            name=op.f("ck_accounting_membership_recognitions_amounts_valid"),
        ),
        sa.PrimaryKeyConstraint("invoice_id", name=op.f("pk_accounting_membership_recognitions")),
    )
    op.create_index(
        "ix_accounting_membership_recognitions_pending",
        "accounting_membership_recognitions",
        ["period_start_at"],
        unique=False,
        postgresql_where=sa.text("recognised_cents < net_cents"),
    )
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
    op.drop_index(
        "ix_accounting_membership_recognitions_pending",
        table_name="accounting_membership_recognitions",
        postgresql_where=sa.text("recognised_cents < net_cents"),
    )
    op.drop_table("accounting_membership_recognitions")
