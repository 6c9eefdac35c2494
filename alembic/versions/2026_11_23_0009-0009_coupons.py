"""Promo codes and their uses.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coupons",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("percent", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("amount_cents", sa.Integer(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("max_uses_per_client", sa.Integer(), nullable=True),
        sa.Column("eligibility", sa.String(length=20), nullable=False),
        sa.Column("min_amount_cents", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "first_purchase_only", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column(
            "service_ids",
            postgresql.ARRAY(sa.Uuid()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column(
            "product_ids",
            postgresql.ARRAY(sa.Uuid()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column(
            "plan_ids", postgresql.ARRAY(sa.Uuid()), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'percent' AND percent > 0 AND percent <= 100 AND amount_cents IS NULL) OR (kind = 'fixed' AND amount_cents > 0 AND percent IS NULL)",
            name=op.f("ck_coupons_value_valid"),
        ),
        sa.CheckConstraint(
            "eligibility IN ('everyone', 'new_clients', 'existing_clients')",
            name=op.f("ck_coupons_eligibility_valid"),
        ),
        sa.CheckConstraint("kind IN ('percent', 'fixed')", name=op.f("ck_coupons_kind_valid")),
        sa.CheckConstraint(
            "(max_uses IS NULL OR max_uses > 0) AND (max_uses_per_client IS NULL OR max_uses_per_client > 0) AND min_amount_cents >= 0",
            name=op.f("ck_coupons_limits_valid"),
        ),
        sa.CheckConstraint(
            "starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at",
            name=op.f("ck_coupons_dates_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupons")),
    )
    op.create_index("uq_coupons_code", "coupons", ["code"], unique=True)
    op.create_table(
        "coupon_redemptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("coupon_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("amount_before_cents", sa.Integer(), nullable=False),
        sa.Column("discount_cents", sa.Integer(), nullable=False),
        sa.Column("amount_after_cents", sa.Integer(), nullable=False),
        sa.Column("redeemed_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "discount_cents > 0 AND amount_after_cents >= 0 AND amount_before_cents = discount_cents + amount_after_cents",
            name=op.f("ck_coupon_redemptions_amounts_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_coupon_redemptions_client_id_clients"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["coupon_id"],
            ["coupons.id"],
            name=op.f("fk_coupon_redemptions_coupon_id_coupons"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["redeemed_by_user_id"],
            ["users.id"],
            name=op.f("fk_coupon_redemptions_redeemed_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupon_redemptions")),
    )
    op.create_index("ix_coupon_redemptions_at", "coupon_redemptions", ["at"], unique=False)
    op.create_index(
        "ix_coupon_redemptions_coupon_client",
        "coupon_redemptions",
        ["coupon_id", "client_id"],
        unique=False,
    )
    op.create_index(
        "uq_coupon_redemptions_subject",
        "coupon_redemptions",
        ["coupon_id", "subject_kind", "subject_id"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_coupon_redemptions_subject", table_name="coupon_redemptions")
    op.drop_index("ix_coupon_redemptions_coupon_client", table_name="coupon_redemptions")
    op.drop_index("ix_coupon_redemptions_at", table_name="coupon_redemptions")
    op.drop_table("coupon_redemptions")
    op.drop_index("uq_coupons_code", table_name="coupons")
    op.drop_table("coupons")
