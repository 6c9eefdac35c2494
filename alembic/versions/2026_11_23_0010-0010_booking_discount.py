"""A booking keeps the discount of the promo code applied to it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "bookings",
        sa.Column("discount_cents", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    op.drop_constraint(op.f("ck_bookings_amounts_valid"), "bookings", type_="check")
    op.create_check_constraint(
        op.f("ck_bookings_amounts_valid"),
        "bookings",
        "total_cents >= 0 AND deposit_cents >= 0 AND deposit_cents <= total_cents "
        "AND travel_fee_cents >= 0 AND discount_cents >= 0",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_bookings_amounts_valid"), "bookings", type_="check")
    op.create_check_constraint(
        op.f("ck_bookings_amounts_valid"),
        "bookings",
        "total_cents >= 0 AND deposit_cents >= 0 AND deposit_cents <= total_cents "
        "AND travel_fee_cents >= 0",
    )
    op.drop_column("bookings", "discount_cents")
