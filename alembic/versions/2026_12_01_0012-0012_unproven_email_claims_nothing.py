"""An e-mail belongs to an account only once proven; unproven links are undone.

Several client accounts may wait on one unverified address (the first to verify it keeps
it), so the address is unique only among staff and verified accounts. Client records that
sign-up linked to an account that never verified its address are unlinked: verification
links them again, to their rightful owner.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLAIMED = "kind = 'staff' OR email_verified_at IS NOT NULL"


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_constraint(op.f("uq_users_email"), "users", type_="unique")
    op.create_index(op.f("ix_users_email"), "users", ["email"])
    op.create_index(
        "uq_users_email_claimed",
        "users",
        ["email"],
        unique=True,
        postgresql_where=sa.text(CLAIMED),
    )
    op.execute(
        "UPDATE clients SET user_id = NULL WHERE user_id IN "
        "(SELECT id FROM users WHERE kind = 'client' AND email_verified_at IS NULL)"
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    # One account per address again: the owner if there is one, else the oldest waiting.
    op.execute(
        f"""
        DELETE FROM users u WHERE NOT ({CLAIMED}) AND EXISTS (
            SELECT 1 FROM users o WHERE o.email = u.email AND o.id <> u.id
            AND (({CLAIMED.replace("kind", "o.kind").replace("email_verified_at", "o.email_verified_at")})
                 OR (o.created_at, o.id) < (u.created_at, u.id)))
        """
    )
    op.drop_index("uq_users_email_claimed", table_name="users")
    op.drop_index(op.f("ix_users_email"), table_name="users")
    op.create_unique_constraint(op.f("uq_users_email"), "users", ["email"])
