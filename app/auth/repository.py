"""Every query on the auth tables."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import AuditLogEntry, OneTimeToken, RefreshToken, Role, User, UserKind


async def get_user(session: AsyncSession, user_id: UUID) -> User | None:
    return await session.get(User, user_id)


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email.lower()))


def users_query(*, kind: str | None = None, role: str | None = None) -> Select[User]:
    statement = select(User)
    if kind is not None:
        statement = statement.where(User.kind == kind)
    if role is not None:
        statement = statement.where(User.role == role)
    return statement


async def active_owner_exists(session: AsyncSession) -> bool:
    owners = users_query(kind=UserKind.staff, role=Role.owner).where(User.is_active.is_(True))
    return bool(await session.scalar(select(owners.exists())))


async def refresh_token_for_update(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    return await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
    )


async def revoke_family(session: AsyncSession, family_id: UUID, at: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=at)
    )


async def revoke_all_for_user(session: AsyncSession, user_id: UUID, at: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=at)
    )


async def one_time_token_for_update(
    session: AsyncSession, token_hash: str, purpose: str
) -> OneTimeToken | None:
    return await session.scalar(
        select(OneTimeToken)
        .where(OneTimeToken.token_hash == token_hash, OneTimeToken.purpose == purpose)
        .with_for_update()
    )


def audit_query(
    *, subject_type: str | None = None, subject_id: str | None = None, action: str | None = None
) -> Select[AuditLogEntry]:
    statement = select(AuditLogEntry)
    if subject_type is not None:
        statement = statement.where(AuditLogEntry.subject_type == subject_type)
    if subject_id is not None:
        statement = statement.where(AuditLogEntry.subject_id == subject_id)
    if action is not None:
        statement = statement.where(AuditLogEntry.action == action)
    return statement
