"""Notifications: messages (the outbox of SMS and e-mails), channel preferences, e-mail
suppressions, provider delivery events; a consent can be withdrawn by an SMS STOP.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_preferences",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("sms", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("email", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_channel_preferences_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_channel_preferences")),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("template", sa.String(length=50), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column(
            "attachments",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("booking_id", sa.Uuid(), nullable=True),
        sa.Column(
            "meta",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provider", sa.String(length=16), nullable=True),
        sa.Column("provider_id", sa.String(length=100), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f("ck_messages_channel_valid")),
        sa.CheckConstraint("kind IN ('service', 'marketing')", name=op.f("ck_messages_kind_valid")),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'delivered', 'bounced', 'complained', 'failed', 'cancelled', 'suppressed')",
            name=op.f("ck_messages_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_messages_booking_id_bookings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_messages_client_id_clients"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_user_id"],
            ["users.id"],
            name=op.f("fk_messages_sent_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    op.create_index("ix_messages_booking", "messages", ["booking_id"], unique=False)
    op.create_index(
        "ix_messages_client_created", "messages", ["client_id", "created_at"], unique=False
    )
    op.create_index(
        "ix_messages_due",
        "messages",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("status IN ('queued', 'sending')"),
    )
    op.create_index(
        "ix_messages_provider_id", "messages", ["provider", "provider_id"], unique=False
    )
    op.create_index(
        "ix_messages_status_created", "messages", ["status", "created_at"], unique=False
    )
    op.create_index("uq_messages_dedupe", "messages", ["dedupe_key"], unique=True)
    op.create_table(
        "email_suppressions",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_email_suppressions_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_email_suppressions")),
    )
    op.create_table(
        "message_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("event_type", sa.String(length=60), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_message_events_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_events")),
    )
    op.create_index(
        op.f("ix_message_events_message_id"), "message_events", ["message_id"], unique=False
    )
    op.create_index(
        "uq_message_events_event", "message_events", ["provider", "event_id"], unique=True
    )

    op.drop_constraint(op.f("ck_client_consents_source_valid"), "client_consents", type_="check")
    op.create_check_constraint(
        op.f("ck_client_consents_source_valid"),
        "client_consents",
        "source IN ('online_form', 'in_salon', 'link', 'import', 'sms_stop')",
    )


def downgrade() -> None:
    op.execute("DELETE FROM client_consents WHERE source = 'sms_stop'")
    op.drop_constraint(op.f("ck_client_consents_source_valid"), "client_consents", type_="check")
    op.create_check_constraint(
        op.f("ck_client_consents_source_valid"),
        "client_consents",
        "source IN ('online_form', 'in_salon', 'link', 'import')",
    )
    op.drop_index("uq_message_events_event", table_name="message_events")
    op.drop_index(op.f("ix_message_events_message_id"), table_name="message_events")
    op.drop_table("message_events")
    op.drop_table("email_suppressions")
    op.drop_index("uq_messages_dedupe", table_name="messages")
    op.drop_index("ix_messages_status_created", table_name="messages")
    op.drop_index("ix_messages_provider_id", table_name="messages")
    op.drop_index(
        "ix_messages_due",
        table_name="messages",
        postgresql_where=sa.text("status IN ('queued', 'sending')"),
    )
    op.drop_index("ix_messages_client_created", table_name="messages")
    op.drop_index("ix_messages_booking", table_name="messages")
    op.drop_table("messages")
    op.drop_table("channel_preferences")
