"""journal_records and journal_heads: the till's inalterable, signed sales journal

journal_records is append-only: triggers refuse UPDATE, DELETE and TRUNCATE, so a correction
can only be a new record (CGI 286 I-3° bis). journal_heads keeps each chain's last sequence
and signature apart from the chain; it may be updated (by each append) but not deleted.

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels = None
depends_on = None

REFUSE = """
CREATE FUNCTION journal_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'journal: % on % is refused (append-only; record a correction instead)',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "journal_records",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("chain", sa.String(16), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column("previous_signature", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_journal_records"),
        sa.UniqueConstraint("chain", "sequence", name="uq_journal_records_chain_sequence"),
    )
    op.create_table(
        "journal_heads",
        sa.Column("chain", sa.String(16), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("signature", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("head_signature", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chain", name="pk_journal_heads"),
    )
    op.execute(REFUSE)
    op.execute(
        "CREATE TRIGGER journal_records_append_only BEFORE UPDATE OR DELETE ON journal_records"
        " FOR EACH ROW EXECUTE FUNCTION journal_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER journal_records_no_truncate BEFORE TRUNCATE ON journal_records"
        " FOR EACH STATEMENT EXECUTE FUNCTION journal_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER journal_heads_kept BEFORE DELETE ON journal_heads"
        " FOR EACH ROW EXECUTE FUNCTION journal_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER journal_heads_no_truncate BEFORE TRUNCATE ON journal_heads"
        " FOR EACH STATEMENT EXECUTE FUNCTION journal_refuse_change()"
    )


def downgrade() -> None:
    op.drop_table("journal_heads")
    op.drop_table("journal_records")
    op.execute("DROP FUNCTION journal_refuse_change()")
