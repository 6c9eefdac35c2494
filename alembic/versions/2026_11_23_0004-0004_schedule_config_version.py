"""A version number for the salon's schedule configuration, bumped by triggers.

The slot engine keeps services, practitioners' hours, opening hours, closures and rules in
memory between searches; it reads this one number per search and reloads when it moved, so
every API process sees a change at once without re-reading the configuration every time.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WATCHED = (
    "services",
    "service_resources",
    "service_prerequisites",
    "practitioners",
    "practitioner_services",
    "working_hours",
    "resources",
    "opening_hours",
    "special_openings",
    "closures",
    "booking_rules",
)


def upgrade() -> None:
    op.create_table(
        "schedule_config_version",
        sa.Column("id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_schedule_config_version_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_config_version")),
    )
    op.execute("INSERT INTO schedule_config_version (id, version) VALUES (1, 0)")
    op.execute(
        """
        CREATE FUNCTION bump_schedule_config_version() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE schedule_config_version SET version = version + 1 WHERE id = 1;
            RETURN NULL;
        END;
        $$
        """
    )
    for table in WATCHED:
        op.execute(
            f"CREATE TRIGGER {table}_bump_schedule_config_version "
            f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION bump_schedule_config_version()"
        )


def downgrade() -> None:
    for table in WATCHED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_bump_schedule_config_version ON {table}")
    op.execute("DROP FUNCTION IF EXISTS bump_schedule_config_version()")
    op.drop_table("schedule_config_version")
