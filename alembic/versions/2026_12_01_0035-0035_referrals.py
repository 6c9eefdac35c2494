"""referral_codes, referrals; saved_cards.fingerprint

A readable referral code per client, the friends who came with one (their welcome, their
first paid visit, the referrer's reward or why there was none), and Stripe's card
fingerprint on saved cards so a friend paying with the referrer's card is seen.

Revision ID: 0035
Revises: 0036
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0035"
down_revision: str | None = "0036"
branch_labels = None
depends_on = None

STATUSES = "'pending', 'rewarded', 'refused', 'reversed'"
CHANNELS = "'booking', 'claim', 'signup'"
REASONS = (
    "'self_referral', 'already_client', 'shared_email', 'shared_phone', 'shared_address', "
    "'shared_card', 'monthly_limit'"
)


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("saved_cards", sa.Column("fingerprint", sa.String(length=64), nullable=True))
    op.create_table(
        "referral_codes",
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("is_primary", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_referral_codes_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_referral_codes")),
    )
    op.create_index("ix_referral_codes_client", "referral_codes", ["client_id"])
    op.create_index(
        "uq_referral_codes_primary",
        "referral_codes",
        ["client_id"],
        unique=True,
        postgresql_where=sa.text("is_primary"),
    )
    op.create_table(
        "referrals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("referrer_client_id", sa.Uuid(), nullable=False),
        sa.Column("friend_client_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason_code", sa.String(length=24), nullable=True),
        sa.Column("booking_id", sa.Uuid(), nullable=True),
        sa.Column("signed_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rewarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("welcome_coupon_id", sa.Uuid(), nullable=True),
        sa.Column("welcome_value_cents", sa.Integer(), nullable=True),
        sa.Column("reward_coupon_id", sa.Uuid(), nullable=True),
        sa.Column("reward_value_cents", sa.Integer(), nullable=True),
        sa.Column("reward_lost", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("visit_order_id", sa.Uuid(), nullable=True),
        sa.Column("visit_booking_id", sa.Uuid(), nullable=True),
        sa.Column("visit_amount_cents", sa.Integer(), nullable=True),
        sa.Column("refunded_cents", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("revenue_cents", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("merged", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f("ck_referrals_status_valid")),
        sa.CheckConstraint(f"channel IN ({CHANNELS})", name=op.f("ck_referrals_channel_valid")),
        sa.CheckConstraint(
            f"reason_code IS NULL OR reason_code IN ({REASONS})",
            name=op.f("ck_referrals_reason_valid"),
        ),
        sa.CheckConstraint(
            "(status = 'refused') = (reason_code IS NOT NULL)",
            name=op.f("ck_referrals_refusal_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["referrer_client_id"],
            ["clients.id"],
            name=op.f("fk_referrals_referrer_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["friend_client_id"],
            ["clients.id"],
            name=op.f("fk_referrals_friend_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_referrals_booking_id_bookings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["welcome_coupon_id"],
            ["coupons.id"],
            name=op.f("fk_referrals_welcome_coupon_id_coupons"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reward_coupon_id"],
            ["coupons.id"],
            name=op.f("fk_referrals_reward_coupon_id_coupons"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    op.create_index(
        "uq_referrals_friend",
        "referrals",
        ["friend_client_id"],
        unique=True,
        postgresql_where=sa.text("NOT merged"),
    )
    op.create_index("ix_referrals_referrer", "referrals", ["referrer_client_id", "created_at"])
    op.create_index("ix_referrals_status", "referrals", ["status", "created_at"])
    op.create_index("ix_referrals_visit_order", "referrals", ["visit_order_id"])


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_table("referrals")
    op.drop_table("referral_codes")
    op.drop_column("saved_cards", "fingerprint")
