"""A promo code's use on a held booking is provisional: `held` until the booking is paid or
confirmed (`used`), `released` when the hold dies.

Revision ID: 0017
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column(
        "coupon_redemptions",
        sa.Column("state", sa.String(8), server_default=sa.text("'used'"), nullable=False),
    )
    op.add_column(
        "coupon_redemptions", sa.Column("released_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_check_constraint(
        op.f("ck_coupon_redemptions_state_valid"),
        "coupon_redemptions",
        "state IN ('held', 'used', 'released')",
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_constraint(
        op.f("ck_coupon_redemptions_state_valid"), "coupon_redemptions", type_="check"
    )
    op.drop_column("coupon_redemptions", "released_at")
    op.drop_column("coupon_redemptions", "state")
