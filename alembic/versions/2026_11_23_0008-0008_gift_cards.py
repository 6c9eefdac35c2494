"""Gift cards and their balance ledger.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gift_cards",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("code_hint", sa.String(length=4), nullable=False),
        sa.Column("code_sealed", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("initial_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "service_ids",
            postgresql.ARRAY(sa.Uuid()),
            server_default=sa.text("'{}'::uuid[]"),
            nullable=False,
        ),
        sa.Column("vat_treatment", sa.String(length=16), nullable=False),
        sa.Column("buyer_client_id", sa.Uuid(), nullable=True),
        sa.Column("buyer_name", sa.String(length=200), nullable=False),
        sa.Column("buyer_email", sa.String(length=320), nullable=True),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("recipient_email", sa.String(length=320), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("deliver_on", sa.Date(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("sold_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("pdf_key", sa.String(length=200), nullable=True),
        sa.Column("expiry_reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending_payment', 'active', 'cancelled', 'expired')",
            name=op.f("ck_gift_cards_status_valid"),
        ),
        sa.CheckConstraint(
            "vat_treatment IN ('single_purpose', 'multi_purpose')",
            name=op.f("ck_gift_cards_vat_treatment_valid"),
        ),
        sa.CheckConstraint("initial_cents > 0", name=op.f("ck_gift_cards_amount_positive")),
        sa.ForeignKeyConstraint(
            ["buyer_client_id"],
            ["clients.id"],
            name=op.f("fk_gift_cards_buyer_client_id_clients"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_gift_cards_payment_id_payments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sold_by_user_id"],
            ["users.id"],
            name=op.f("fk_gift_cards_sold_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gift_cards")),
    )
    op.create_index("ix_gift_cards_buyer", "gift_cards", ["buyer_client_id"], unique=False)
    op.create_index("ix_gift_cards_created", "gift_cards", ["created_at"], unique=False)
    op.create_index(
        "ix_gift_cards_recipient_email", "gift_cards", ["recipient_email"], unique=False
    )
    op.create_index(
        "ix_gift_cards_status_expires", "gift_cards", ["status", "expires_at"], unique=False
    )
    op.create_index("uq_gift_cards_code_hash", "gift_cards", ["code_hash"], unique=True)
    op.create_table(
        "gift_card_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("gift_card_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("booking_id", sa.Uuid(), nullable=True),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind IN ('issue', 'refund') AND amount_cents > 0) OR (kind IN ('redeem', 'expire', 'cancel') AND amount_cents < 0) OR kind = 'adjust'",
            name=op.f("ck_gift_card_entries_sign_matches_kind"),
        ),
        sa.CheckConstraint(
            "kind IN ('issue', 'redeem', 'refund', 'expire', 'cancel', 'adjust')",
            name=op.f("ck_gift_card_entries_kind_valid"),
        ),
        sa.CheckConstraint("amount_cents <> 0", name=op.f("ck_gift_card_entries_amount_not_zero")),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["users.id"],
            name=op.f("fk_gift_card_entries_actor_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_gift_card_entries_booking_id_bookings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["gift_card_id"],
            ["gift_cards.id"],
            name=op.f("fk_gift_card_entries_gift_card_id_gift_cards"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_gift_card_entries_payment_id_payments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gift_card_entries")),
    )
    op.create_index("ix_gift_card_entries_at", "gift_card_entries", ["at"], unique=False)
    op.create_index(
        "ix_gift_card_entries_card_at", "gift_card_entries", ["gift_card_id", "at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_gift_card_entries_card_at", table_name="gift_card_entries")
    op.drop_index("ix_gift_card_entries_at", table_name="gift_card_entries")
    op.drop_table("gift_card_entries")
    op.drop_index("uq_gift_cards_code_hash", table_name="gift_cards")
    op.drop_index("ix_gift_cards_status_expires", table_name="gift_cards")
    op.drop_index("ix_gift_cards_recipient_email", table_name="gift_cards")
    op.drop_index("ix_gift_cards_created", table_name="gift_cards")
    op.drop_index("ix_gift_cards_buyer", table_name="gift_cards")
    op.drop_table("gift_cards")
