"""Secrets are never stored readable: message words sealed, idempotency answers sealed.

A message keeps a redacted preview (`subject`, `body_text`) for staff and its real words
(subject, text, HTML, inline attachments, unsubscribe link) sealed in `sealed_content`;
`body_html` and `meta.unsubscribe_url` go. Existing rows are sealed here, so the queued ones
still go with their links. Idempotency answers were kept in clear under a scope derived from
the Authorization header; keys are now scoped by the caller and answers sealed, so the old
rows can never match again and are deleted.

This migration imports `app.core.sealing` and `app.notifications.redaction` on purpose: the
rows must be sealed under the application's own key derivation.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.core import sealing
from app.notifications.redaction import redact

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEALED_FOR = "message-content"  # app/notifications/content.py
BATCH = 500

messages = sa.table(
    "messages",
    sa.column("id", postgresql.UUID(as_uuid=True)),
    sa.column("subject", sa.Text()),
    sa.column("body_text", sa.Text()),
    sa.column("body_html", sa.Text()),
    sa.column("sealed_content", sa.Text()),
    sa.column("attachments", postgresql.JSONB()),
    sa.column("meta", postgresql.JSONB()),
)


def _rows(where: Any) -> list[Any]:
    return list(
        op.get_bind().execute(sa.select(messages).where(where).order_by(messages.c.id).limit(BATCH))
    )


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("messages", sa.Column("sealed_content", sa.Text(), nullable=True))
    bind = op.get_bind()
    last = None
    while rows := _rows(messages.c.id > last if last else sa.true()):
        for row in rows:
            meta = dict(row.meta or {})
            content = {
                "subject": row.subject,
                "text": row.body_text,
                "html": row.body_html,
                "attachments": row.attachments or [],
                "unsubscribe_url": meta.pop("unsubscribe_url", None),
            }
            erased = row.body_text == "[effacé]"
            bind.execute(
                messages.update()
                .where(messages.c.id == row.id)
                .values(
                    sealed_content=None
                    if erased
                    else sealing.seal_json(SEALED_FOR, content, bound_to=row.id.bytes),
                    subject=redact(row.subject),
                    body_text=redact(row.body_text),
                    attachments=[{"filename": a["filename"]} for a in row.attachments or []],
                    meta=meta,
                )
            )
        last = rows[-1].id
    op.drop_column("messages", "body_html")
    op.execute("DELETE FROM idempotency_keys")


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("messages", sa.Column("body_html", sa.Text(), nullable=True))
    bind = op.get_bind()
    last = None
    while rows := _rows(messages.c.id > last if last else sa.true()):
        for row in rows:
            if row.sealed_content is None:
                continue
            content = json.loads(
                sealing.unseal(SEALED_FOR, row.sealed_content, bound_to=row.id.bytes)
            )
            meta = dict(row.meta or {})
            if content["unsubscribe_url"]:
                meta["unsubscribe_url"] = content["unsubscribe_url"]
            bind.execute(
                messages.update()
                .where(messages.c.id == row.id)
                .values(
                    subject=content["subject"],
                    body_text=content["text"],
                    body_html=content["html"],
                    attachments=content["attachments"],
                    meta=meta,
                )
            )
        last = rows[-1].id
    op.drop_column("messages", "sealed_content")
    op.execute("DELETE FROM idempotency_keys")
