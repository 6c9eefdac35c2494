"""coupons.owner_client_id, coupons.origin: personal codes

A loyalty reward or a referral welcome is a promo code only one client may use, once; the
domain that issued it is its `origin`. Salon codes keep both empty.

Revision ID: 0033
Revises: 0030
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0033"
down_revision: str | None = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("coupons", sa.Column("owner_client_id", sa.Uuid(), nullable=True))
    op.add_column("coupons", sa.Column("origin", sa.String(length=20), nullable=True))
    op.create_foreign_key(
        op.f("fk_coupons_owner_client_id_clients"),
        "coupons",
        "clients",
        ["owner_client_id"],
        ["id"],
        ondelete="RESTRICT",
    )
    op.create_check_constraint(
        op.f("ck_coupons_personal_valid"),
        "coupons",
        "(owner_client_id IS NULL) = (origin IS NULL) AND "
        "(owner_client_id IS NULL OR (max_uses = 1 AND max_uses_per_client = 1))",
    )
    op.create_index(
        "ix_coupons_owner",
        "coupons",
        ["owner_client_id"],
        postgresql_where=sa.text("owner_client_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute(
        "DELETE FROM coupons WHERE owner_client_id IS NOT NULL AND id NOT IN "
        "(SELECT coupon_id FROM coupon_redemptions)"
    )
    op.drop_index("ix_coupons_owner", table_name="coupons")
    op.drop_constraint(op.f("ck_coupons_personal_valid"), "coupons", type_="check")
    op.drop_constraint(op.f("fk_coupons_owner_client_id_clients"), "coupons", type_="foreignkey")
    op.drop_column("coupons", "origin")
    op.drop_column("coupons", "owner_client_id")
