"""loyalty: members, the points ledger and its allocations (never edited: a trigger refuses
any change but a client merge's and an erasure's, and any delete), earning rules, tiers
(Bronze, Silver, Gold are written by the programme when it finds none), rewards, redemptions,
tier moves, expiry reminders

Revision ID: 0034
Revises: 0032
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0034"
down_revision: str | None = "0032"
branch_labels = None
depends_on = None

# A merge moves the rows to the kept client (client_id); an erasure clears the free text a
# manager wrote and the staff member's link (reason, actor_user_id). Nothing else changes.
REFUSE_CHANGE = """
CREATE FUNCTION loyalty_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (to_jsonb(NEW) - 'client_id' - 'reason' - 'actor_user_id')
         = (to_jsonb(OLD) - 'client_id' - 'reason' - 'actor_user_id')
       AND (NEW.reason IS NULL OR NEW.reason IS NOT DISTINCT FROM OLD.reason)
       AND (NEW.actor_user_id IS NULL OR NEW.actor_user_id IS NOT DISTINCT FROM OLD.actor_user_id)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'loyalty: % on % is refused (the points ledger is never edited; add an entry)',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END
$$
"""
REFUSE_ALLOCATION_CHANGE = """
CREATE FUNCTION loyalty_refuse_allocation_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'loyalty: % on % is refused (the points ledger is never edited; add an entry)',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END
$$
"""
LEDGER = {
    "loyalty_entries": "loyalty_refuse_change",
    "loyalty_allocations": "loyalty_refuse_allocation_change",
}


def _stamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "loyalty_tiers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=8), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("multiplier", sa.Numeric(4, 2), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "perks", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False
        ),
        *_stamps(),
        sa.CheckConstraint(
            "basis IN ('spend', 'visits')", name=op.f("ck_loyalty_tiers_basis_valid")
        ),
        sa.CheckConstraint(
            "threshold >= 0 AND multiplier > 0 AND rank >= 0",
            name=op.f("ck_loyalty_tiers_tier_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_tiers")),
    )
    op.create_index("uq_loyalty_tiers_rank", "loyalty_tiers", ["rank"], unique=True)
    op.create_index("uq_loyalty_tiers_name", "loyalty_tiers", ["name"], unique=True)
    op.create_table(
        "loyalty_members",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("tier_id", sa.Uuid(), nullable=True),
        sa.Column("tier_since_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("card_version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        *_stamps(),
        sa.CheckConstraint(
            "card_version > 0", name=op.f("ck_loyalty_members_card_version_positive")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_loyalty_members_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tier_id"],
            ["loyalty_tiers.id"],
            name=op.f("fk_loyalty_members_tier_id_loyalty_tiers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_loyalty_members")),
    )
    op.create_table(
        "loyalty_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_key", sa.String(length=120), nullable=False),
        sa.Column("source_kind", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=True),
        sa.Column("base_cents", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("visit", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("earned_entry_id", sa.Uuid(), nullable=True),
        sa.Column("shortfall", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('earned', 'spent', 'expired', 'reversed', 'adjusted', 'restored')",
            name=op.f("ck_loyalty_entries_kind_valid"),
        ),
        sa.CheckConstraint(
            "points <> 0 OR kind = 'reversed'", name=op.f("ck_loyalty_entries_points_not_zero")
        ),
        sa.CheckConstraint(
            "(kind IN ('earned', 'restored') AND points > 0) OR "
            "(kind IN ('spent', 'expired', 'reversed') AND points <= 0) OR "
            "(kind = 'adjusted' AND points <> 0)",
            name=op.f("ck_loyalty_entries_sign_matches_kind"),
        ),
        sa.CheckConstraint(
            "(points > 0) = (expires_at IS NOT NULL)", name=op.f("ck_loyalty_entries_grants_expire")
        ),
        sa.CheckConstraint(
            "shortfall >= 0 AND base_cents >= 0", name=op.f("ck_loyalty_entries_amounts_valid")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_loyalty_entries_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["earned_entry_id"],
            ["loyalty_entries.id"],
            name=op.f("fk_loyalty_entries_earned_entry_id_loyalty_entries"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["users.id"],
            name=op.f("fk_loyalty_entries_actor_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_entries")),
    )
    op.create_index("uq_loyalty_entries_source", "loyalty_entries", ["source_key"], unique=True)
    op.create_index(
        "ix_loyalty_entries_client_at", "loyalty_entries", ["client_id", "at", "id"], unique=False
    )
    op.create_index(
        "ix_loyalty_entries_grants",
        "loyalty_entries",
        ["client_id", "expires_at"],
        unique=False,
        postgresql_where=sa.text("points > 0"),
    )
    op.create_index(
        "ix_loyalty_entries_earned", "loyalty_entries", ["earned_entry_id"], unique=False
    )
    op.create_table(
        "loyalty_allocations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("grant_id", sa.Uuid(), nullable=False),
        sa.Column("debit_id", sa.Uuid(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.CheckConstraint("points > 0", name=op.f("ck_loyalty_allocations_points_positive")),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["loyalty_entries.id"],
            name=op.f("fk_loyalty_allocations_grant_id_loyalty_entries"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["debit_id"],
            ["loyalty_entries.id"],
            name=op.f("fk_loyalty_allocations_debit_id_loyalty_entries"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_allocations")),
    )
    op.create_index(
        "uq_loyalty_allocations_pair", "loyalty_allocations", ["grant_id", "debit_id"], unique=True
    )
    op.create_index(
        "ix_loyalty_allocations_debit", "loyalty_allocations", ["debit_id"], unique=False
    )
    op.create_table(
        "loyalty_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("points_per_euro", sa.Numeric(6, 2), nullable=True),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("multiplier", sa.Numeric(4, 2), nullable=True),
        sa.Column("item_kind", sa.String(length=8), nullable=True),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=24), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        *_stamps(),
        sa.CheckConstraint(
            "kind IN ('per_euro', 'per_visit', 'campaign', 'action')",
            name=op.f("ck_loyalty_rules_kind_valid"),
        ),
        sa.CheckConstraint(
            "(kind = 'per_euro' AND points_per_euro > 0) OR "
            "(kind = 'per_visit' AND points > 0) OR "
            "(kind = 'campaign' AND starts_at IS NOT NULL AND ends_at IS NOT NULL "
            " AND (multiplier > 0 OR points > 0)) OR "
            "(kind = 'action' AND action IS NOT NULL AND points > 0)",
            name=op.f("ck_loyalty_rules_rule_valid"),
        ),
        sa.CheckConstraint(
            "item_kind IS NULL OR item_kind IN ('service', 'product')",
            name=op.f("ck_loyalty_rules_item_kind_valid"),
        ),
        sa.CheckConstraint(
            "action IS NULL OR action IN ('first_online_booking', 'verified_review', 'birthday')",
            name=op.f("ck_loyalty_rules_action_valid"),
        ),
        sa.CheckConstraint(
            "starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at",
            name=op.f("ck_loyalty_rules_dates_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_rules")),
    )
    op.create_table(
        "loyalty_tier_moves",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("from_tier_id", sa.Uuid(), nullable=True),
        sa.Column("to_tier_id", sa.Uuid(), nullable=True),
        sa.Column("spend_cents", sa.Integer(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_loyalty_tier_moves_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["from_tier_id"],
            ["loyalty_tiers.id"],
            name=op.f("fk_loyalty_tier_moves_from_tier_id_loyalty_tiers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["to_tier_id"],
            ["loyalty_tiers.id"],
            name=op.f("fk_loyalty_tier_moves_to_tier_id_loyalty_tiers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_tier_moves")),
    )
    op.create_index(
        "ix_loyalty_tier_moves_client_at", "loyalty_tier_moves", ["client_id", "at"], unique=False
    )
    op.create_table(
        "loyalty_rewards",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("points_cost", sa.Integer(), nullable=False),
        sa.Column("percent", sa.Numeric(5, 2), nullable=True),
        sa.Column("amount_cents", sa.Integer(), nullable=True),
        sa.Column("service_id", sa.Uuid(), nullable=True),
        sa.Column("product_id", sa.Uuid(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        *_stamps(),
        sa.CheckConstraint(
            "kind IN ('percent', 'amount', 'free_service', 'free_product', 'gift_card_value')",
            name=op.f("ck_loyalty_rewards_kind_valid"),
        ),
        sa.CheckConstraint("points_cost > 0", name=op.f("ck_loyalty_rewards_cost_positive")),
        sa.CheckConstraint(
            "(kind = 'percent' AND percent > 0 AND percent <= 100) OR "
            "(kind IN ('amount', 'gift_card_value') AND amount_cents > 0) OR "
            "(kind = 'free_service' AND service_id IS NOT NULL) OR "
            "(kind = 'free_product' AND product_id IS NOT NULL)",
            name=op.f("ck_loyalty_rewards_reward_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_rewards")),
    )
    op.create_table(
        "loyalty_redemptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("reward_id", sa.Uuid(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("coupon_id", sa.Uuid(), nullable=False),
        sa.Column("code_sealed", sa.Text(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("redeemed_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("restored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_loyalty_redemptions_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reward_id"],
            ["loyalty_rewards.id"],
            name=op.f("fk_loyalty_redemptions_reward_id_loyalty_rewards"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["loyalty_entries.id"],
            name=op.f("fk_loyalty_redemptions_entry_id_loyalty_entries"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["redeemed_by_user_id"],
            ["users.id"],
            name=op.f("fk_loyalty_redemptions_redeemed_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_redemptions")),
    )
    op.create_index(
        "ix_loyalty_redemptions_client_at",
        "loyalty_redemptions",
        ["client_id", "at"],
        unique=False,
    )
    op.create_table(
        "loyalty_expiry_reminders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_loyalty_expiry_reminders_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_expiry_reminders")),
    )
    op.create_index(
        "uq_loyalty_expiry_reminders",
        "loyalty_expiry_reminders",
        ["client_id", "expires_on"],
        unique=True,
    )
    op.execute(REFUSE_CHANGE)
    op.execute(REFUSE_ALLOCATION_CHANGE)
    for table, function in LEDGER.items():
        op.execute(
            f"CREATE TRIGGER {table}_never_edited BEFORE UPDATE OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )


def downgrade() -> None:
    for table in LEDGER:
        op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute(f"DROP TRIGGER {table}_never_edited ON {table}")
    op.execute("DROP FUNCTION loyalty_refuse_allocation_change()")
    op.execute("DROP FUNCTION loyalty_refuse_change()")
    op.drop_table("loyalty_expiry_reminders")
    op.drop_table("loyalty_redemptions")
    op.drop_table("loyalty_rewards")
    op.drop_table("loyalty_tier_moves")
    op.drop_table("loyalty_rules")
    op.drop_table("loyalty_allocations")
    op.drop_table("loyalty_entries")
    op.drop_table("loyalty_members")
    op.drop_table("loyalty_tiers")
