"""payments.gift_card_id: the card that paid, in its own column

A payment by gift card named its card in `provider_ref` as `gift_card:{card}:{payment}`,
parsed back when it was refunded. The card now has a column (FK, RESTRICT), set exactly when
the method is `gift_card`; existing rows are moved over and their `provider_ref` cleared.
The check on `subject_kind` goes: the kinds are those registered in `app/core/payables.py`,
checked in code (docs/decisions.md). One open deposit checkout per subject (not per
booking) and method.

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels = None
depends_on = None

KINDS = "subject_kind IN ('booking', 'order', 'gift_card', 'subscription')"


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("payments", sa.Column("gift_card_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_payments_gift_card_id_gift_cards"),
        "payments",
        "gift_cards",
        ["gift_card_id"],
        ["id"],
        ondelete="RESTRICT",
    )
    op.execute(
        "UPDATE payments SET gift_card_id = split_part(provider_ref, ':', 2)::uuid, "
        "provider_ref = NULL "
        "WHERE method = 'gift_card' AND provider_ref LIKE 'gift_card:%'"
    )
    op.create_check_constraint(
        op.f("ck_payments_gift_card_method"),
        "payments",
        "(method = 'gift_card') = (gift_card_id IS NOT NULL)",
    )
    op.create_index("ix_payments_gift_card", "payments", ["gift_card_id"], unique=False)
    op.drop_constraint(op.f("ck_payments_subject_kind_valid"), "payments", type_="check")
    _open_deposit("subject_kind", "subject_id", "method")


def _open_deposit(*columns: str) -> None:
    """One deposit checkout in progress per subject (was: per booking) and method."""
    op.drop_index("uq_payments_open_deposit", table_name="payments")
    op.create_index(
        "uq_payments_open_deposit",
        "payments",
        list(columns),
        unique=True,
        postgresql_where=sa.text(
            "purpose = 'deposit' AND status IN ('pending', 'requires_action')"
        ),
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_check_constraint(op.f("ck_payments_subject_kind_valid"), "payments", KINDS)
    op.execute(
        "UPDATE payments SET provider_ref = 'gift_card:' || gift_card_id || ':' || id "
        "WHERE gift_card_id IS NOT NULL"
    )
    op.drop_index("ix_payments_gift_card", table_name="payments")
    op.drop_constraint(op.f("ck_payments_gift_card_method"), "payments", type_="check")
    op.drop_constraint(op.f("fk_payments_gift_card_id_gift_cards"), "payments", type_="foreignkey")
    op.drop_column("payments", "gift_card_id")
    _open_deposit("booking_id", "method")
