"""Clients: the CRM record, notes, health notes, the consent ledger, and search columns.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# lower(unaccent(text)) as an IMMUTABLE function: unaccent() itself is only STABLE (it reads
# a dictionary), and generated columns and indexes need immutable expressions. The dictionary
# is named with its schema so the result never depends on search_path.
FOLD = """
CREATE FUNCTION salon_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN lower(public.unaccent('public.unaccent'::regdictionary, value))
"""


def upgrade() -> None:
    op.execute(FOLD)
    op.create_table(
        "client_consents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('email_marketing', 'sms_marketing', 'photos')",
            name=op.f("ck_client_consents_channel_valid"),
        ),
        sa.CheckConstraint(
            "source IN ('online_form', 'in_salon', 'link', 'import')",
            name=op.f("ck_client_consents_source_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_consents_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_client_consents_recorded_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_consents")),
    )
    op.create_index(
        "ix_client_consents_client_channel_at",
        "client_consents",
        ["client_id", "channel", "at"],
        unique=False,
    )
    op.create_table(
        "client_health_notes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('allergy', 'contraindication', 'pregnancy', 'skin_type', 'other')",
            name=op.f("ck_client_health_notes_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["users.id"],
            name=op.f("fk_client_health_notes_author_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_health_notes_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_health_notes")),
    )
    op.create_index(
        op.f("ix_client_health_notes_client_id"), "client_health_notes", ["client_id"], unique=False
    )
    op.create_table(
        "client_notes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["users.id"],
            name=op.f("fk_client_notes_author_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_notes_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_notes")),
    )
    op.create_index(op.f("ix_client_notes_client_id"), "client_notes", ["client_id"], unique=False)
    op.add_column("clients", sa.Column("birthday", sa.Date(), nullable=True))
    op.add_column("clients", sa.Column("address", sa.Text(), nullable=True))
    op.add_column("clients", sa.Column("preferred_practitioner_id", sa.Uuid(), nullable=True))
    op.add_column(
        "clients",
        sa.Column(
            "tags",
            postgresql.ARRAY(sa.String(length=50)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
    )
    op.add_column("clients", sa.Column("acquisition_source", sa.String(length=100), nullable=True))
    op.add_column(
        "clients",
        sa.Column(
            "search_text",
            sa.Text(),
            sa.Computed(
                "salon_fold(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, ''))",
                persisted=True,
            ),
            nullable=False,
        ),
    )
    op.add_column(
        "clients",
        sa.Column(
            "phone_digits",
            sa.Text(),
            sa.Computed("regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g')", persisted=True),
            nullable=False,
        ),
    )
    op.add_column("clients", sa.Column("anonymized_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "clients", sa.Column("retention_review_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index(
        "ix_clients_phone_trgm",
        "clients",
        ["phone_digits"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"phone_digits": "gin_trgm_ops"},
    )
    op.create_index(
        "ix_clients_search_trgm",
        "clients",
        ["search_text"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.create_index("ix_clients_tags", "clients", ["tags"], unique=False, postgresql_using="gin")
    op.create_foreign_key(
        op.f("fk_clients_preferred_practitioner_id_practitioners"),
        "clients",
        "practitioners",
        ["preferred_practitioner_id"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_clients_preferred_practitioner_id_practitioners"), "clients", type_="foreignkey"
    )
    op.drop_index("ix_clients_tags", table_name="clients", postgresql_using="gin")
    op.drop_index(
        "ix_clients_search_trgm",
        table_name="clients",
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.drop_index(
        "ix_clients_phone_trgm",
        table_name="clients",
        postgresql_using="gin",
        postgresql_ops={"phone_digits": "gin_trgm_ops"},
    )
    op.drop_column("clients", "retention_review_at")
    op.drop_column("clients", "anonymized_at")
    op.drop_column("clients", "phone_digits")
    op.drop_column("clients", "search_text")
    op.drop_column("clients", "acquisition_source")
    op.drop_column("clients", "tags")
    op.drop_column("clients", "preferred_practitioner_id")
    op.drop_column("clients", "address")
    op.drop_column("clients", "birthday")
    op.drop_index(op.f("ix_client_notes_client_id"), table_name="client_notes")
    op.drop_table("client_notes")
    op.drop_index(op.f("ix_client_health_notes_client_id"), table_name="client_health_notes")
    op.drop_table("client_health_notes")
    op.drop_index("ix_client_consents_client_channel_at", table_name="client_consents")
    op.drop_table("client_consents")
    op.execute("DROP FUNCTION salon_fold(text)")
