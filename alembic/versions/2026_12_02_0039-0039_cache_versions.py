"""Cache versions that never repeat, bumped in the transaction of every change.

Migration 0004 kept one counter (`version = version + 1`) for the schedule configuration. A
transaction that bumped it, let a search cache its own uncommitted rows under the new number
and then rolled back put the number back: the next real change reached the same number and
every process kept serving the rolled-back state under it. Here:

- every bump takes its number from one sequence (`cache_version_seq`): a number a rolled-back
  transaction used is never handed out again;
- each row carries a random `token` made with the database, so a cache shared through Redis
  never mistakes another database's (or a re-created one's) number for its own;
- the configuration's bump runs at once, on every statement: its own transaction reads a
  number nobody else will see unless it commits; the busy time's bump is a deferred
  constraint trigger per row: it runs at commit, inside the transaction, once per
  transaction (`bumped_by`), so the hot row is locked only for the commit itself (bookings
  do not queue behind each other's whole transaction);
- `schedule_config` covers what the slot engine and the public catalog reads keep
  (services, categories, practitioners, their services and hours, resources, opening hours,
  special openings, closures, booking rules); `schedule_busy` covers what changes all day
  (bookings: created, deleted, their status, hold and times; allocations, blocks, absences).

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0039"
down_revision: str | None = "0038"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_WATCHED = (
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
WATCHED = {
    "schedule_config": (*OLD_WATCHED, "service_categories"),
    "schedule_busy": ("bookings", "booking_allocations", "blocks", "absences"),
}

# A booking's other columns (reminders sent, notes, amounts) change nothing a search reads:
# its status and hold decide whether its allocations hold time (`_live_at`), its times bound
# the hold a cached search dies with. Every change to an allocation counts.
UPDATED = {"bookings": "UPDATE OF status, hold_expires_at, start_at, end_at"}


def upgrade() -> None:
    for table in OLD_WATCHED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_bump_schedule_config_version ON {table}")
    op.execute("DROP FUNCTION IF EXISTS bump_schedule_config_version()")
    op.drop_table("schedule_config_version")

    op.execute("CREATE SEQUENCE cache_version_seq AS bigint")
    op.create_table(
        "cache_versions",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column(
            "version",
            sa.BigInteger(),
            server_default=sa.text("nextval('cache_version_seq')"),
            nullable=False,
        ),
        sa.Column("token", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("bumped_by", sa.Text()),
    )
    op.execute("INSERT INTO cache_versions (name) VALUES ('schedule_config'), ('schedule_busy')")
    op.execute(
        """
        CREATE FUNCTION bump_cache_version() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE cache_versions
               SET version = nextval('cache_version_seq'),
                   bumped_by = pg_current_xact_id()::text
             WHERE name = TG_ARGV[0]
               AND bumped_by IS DISTINCT FROM pg_current_xact_id()::text;
            RETURN NULL;
        END;
        $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION bump_cache_version_now() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE cache_versions
               SET version = nextval('cache_version_seq'),
                   bumped_by = pg_current_xact_id()::text
             WHERE name = TG_ARGV[0];
            RETURN NULL;
        END;
        $$
        """
    )
    # The configuration: at once, every statement. Its transaction then reads a number of its
    # own (which no one else sees unless it commits), so even a search inside it may keep
    # what it loads under that number. Rare changes: the row lock they hold costs nothing.
    for table in WATCHED["schedule_config"]:
        op.execute(
            f"CREATE TRIGGER {table}_bump_cache_version "
            f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_version_now('schedule_config')"
        )
    # The busy time: at commit, once per transaction (bookings all day long lock the row
    # only for their commit). Until then the transaction's own number is the old one: a
    # transaction that wrote must not read the slot cache (`Versions.clean`).
    for table in WATCHED["schedule_busy"]:
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {table}_bump_cache_version "
            f"AFTER INSERT OR {UPDATED.get(table, 'UPDATE')} OR DELETE ON {table} "
            "DEFERRABLE INITIALLY DEFERRED "
            "FOR EACH ROW EXECUTE FUNCTION bump_cache_version('schedule_busy')"
        )
        op.execute(
            f"CREATE TRIGGER {table}_truncate_bumps_cache_version "
            f"AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_version('schedule_busy')"
        )


def downgrade() -> None:
    for tables in WATCHED.values():
        for table in tables:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_bump_cache_version ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_truncate_bumps_cache_version ON {table}")
    op.execute("DROP FUNCTION IF EXISTS bump_cache_version()")
    op.execute("DROP FUNCTION IF EXISTS bump_cache_version_now()")
    op.drop_table("cache_versions")
    op.execute("DROP SEQUENCE IF EXISTS cache_version_seq")
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
    for table in OLD_WATCHED:
        op.execute(
            f"CREATE TRIGGER {table}_bump_schedule_config_version "
            f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION bump_schedule_config_version()"
        )
