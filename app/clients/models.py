from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import (
    CheckConstraint,
    Computed,
    ForeignKey,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.enums import check_in
from app.core.ids import new_id

# lower(unaccent(...)) through an IMMUTABLE wrapper (migration 0005), so it can be indexed.
SEARCH_TEXT = (
    "salon_fold(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || "
    "coalesce(email, ''))"
)
PHONE_DIGITS = "regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g')"


class Client(Base):
    __tablename__ = "clients"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    # Lower-cased; unique when present (a client may have no e-mail).
    email: Mapped[str | None] = mapped_column(String(320))
    # E.164 (+33612345678).
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    birthday: Mapped[date | None]
    address: Mapped[str | None] = mapped_column(Text)
    preferred_practitioner_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("practitioners.id", ondelete="SET NULL")
    )
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(50)), server_default=text("'{}'"))
    acquisition_source: Mapped[str | None] = mapped_column(String(100))
    # A business client (invoices): her company, its SIREN or SIRET and VAT number.
    company_name: Mapped[str | None] = mapped_column(String(200))
    siren: Mapped[str | None] = mapped_column(String(9))
    siret: Mapped[str | None] = mapped_column(String(14))
    vat_number: Mapped[str | None] = mapped_column(String(20))
    search_text: Mapped[str] = mapped_column(Text, Computed(SEARCH_TEXT, persisted=True))
    phone_digits: Mapped[str] = mapped_column(Text, Computed(PHONE_DIGITS, persisted=True))
    anonymized_at: Mapped[datetime | None]
    retention_review_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("phone ~ '^\\+[1-9][0-9]{6,14}$'", name="phone_e164"),
        Index("uq_clients_email", "email", unique=True, postgresql_where=text("email IS NOT NULL")),
        Index(
            "ix_clients_search_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
        Index(
            "ix_clients_phone_trgm",
            "phone_digits",
            postgresql_using="gin",
            postgresql_ops={"phone_digits": "gin_trgm_ops"},
        ),
        Index("ix_clients_tags", "tags", postgresql_using="gin"),
    )


class ClientNote(Base):
    __tablename__ = "client_notes"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[UUID] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), index=True
    )
    author_user_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class HealthNoteKind(StrEnum):
    allergy = "allergy"
    contraindication = "contraindication"
    pregnancy = "pregnancy"
    skin_type = "skin_type"
    other = "other"


class ClientHealthNote(Base):
    """Sensitive data (GDPR art. 9): only roles that treat clients read it, and every read by
    staff is written to the audit log."""

    __tablename__ = "client_health_notes"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[UUID] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    author_user_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]

    __table_args__ = (check_in("kind", HealthNoteKind),)


class ConsentChannel(StrEnum):
    email_marketing = "email_marketing"
    sms_marketing = "sms_marketing"
    photos = "photos"


class ConsentSource(StrEnum):
    online_form = "online_form"
    in_salon = "in_salon"
    link = "link"
    import_ = "import"
    sms_stop = "sms_stop"  # the client answered STOP to a marketing SMS


class ClientConsent(Base):
    """The consent ledger: each grant or withdrawal is a row; the current state is the latest
    row per channel."""

    __tablename__ = "client_consents"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[UUID] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    granted: Mapped[bool]
    source: Mapped[str] = mapped_column(String(20))
    recorded_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    at: Mapped[datetime]

    __table_args__ = (
        check_in("channel", ConsentChannel),
        check_in("source", ConsentSource),
        Index("ix_client_consents_client_channel_at", "client_id", "channel", "at"),
    )
