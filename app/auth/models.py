from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.ids import new_id


class UserKind(StrEnum):
    staff = "staff"
    client = "client"


class Role(StrEnum):
    """Staff roles, from the most to the least powerful."""

    owner = "owner"
    manager = "manager"
    receptionist = "receptionist"
    practitioner = "practitioner"


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in enum)})"


class User(Base):
    __tablename__ = "users"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    # Stored lower-cased (see the check), so the unique index is case-insensitive. Unique only
    # once claimed (staff, or a verified client): a sign-up claims nothing before it is proven.
    email: Mapped[str] = mapped_column(String(320), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    role: Mapped[str | None] = mapped_column(String(16))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    email_verified_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    # Access tokens issued before this instant are refused (a password reset or change: the
    # previous holder of the password loses her open sessions at once, not at token expiry).
    sessions_valid_after: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        Index(
            "uq_users_email_claimed",
            "email",
            unique=True,
            postgresql_where=text("kind = 'staff' OR email_verified_at IS NOT NULL"),
        ),
        CheckConstraint(_in("kind", UserKind), name="kind_valid"),
        CheckConstraint(
            f"(kind = 'staff' AND {_in('role', Role)}) OR (kind = 'client' AND role IS NULL)",
            name="role_matches_kind",
        ),
    )


class RefreshToken(Base):
    """One refresh token; rotation links tokens of one login into a family."""

    __tablename__ = "refresh_tokens"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[UUID] = mapped_column(index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    rotated_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class OneTimeToken(Base):
    """Password-reset and e-mail-verification tokens, stored hashed, usable once."""

    __tablename__ = "one_time_tokens"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint(
            "purpose IN ('password_reset', 'email_verification')", name="purpose_valid"
        ),
    )


class AuditLogEntry(Base):
    """Who did what to which record: logins, locks, reads of health notes, exports, erasures."""

    __tablename__ = "audit_log"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    at: Mapped[datetime]
    actor_user_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str | None] = mapped_column(String(64))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(128))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))

    __table_args__ = (
        Index("ix_audit_log_subject", "subject_type", "subject_id", "at"),
        Index("ix_audit_log_at_id", "at", "id"),
    )
