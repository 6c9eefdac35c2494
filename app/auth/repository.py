"""Every query on the auth tables."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import Select, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import AuditLogEntry, OneTimeToken, RefreshToken, Role, User, UserKind
from app.core.outbox import OutboxEvent

# An address belongs to an account once it is proven: staff accounts (made by a manager) and
# client accounts whose e-mail is verified. Several client accounts may wait on one address.
CLAIMED = or_(User.kind == UserKind.staff, User.email_verified_at.is_not(None))


async def get_user(session: AsyncSession, user_id: UUID) -> User | None:
    return await session.get(User, user_id)


async def user_names(session: AsyncSession, ids: list[UUID]) -> dict[UUID, str]:
    rows = await session.execute(
        select(User.id, User.first_name, User.last_name).where(User.id.in_(ids))
    )
    return {user_id: f"{first} {last}".strip() for user_id, first, last in rows}


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    """The account that owns this address (staff, or a client who verified it)."""
    return await session.scalar(select(User).where(User.email == email.lower(), CLAIMED))


async def pending_users_by_email(
    session: AsyncSession, email: str, *, limit: int | None = None
) -> list[User]:
    """Client accounts waiting for this address to be verified, newest first."""
    statement = (
        select(User)
        .where(User.email == email.lower(), ~CLAIMED)
        .order_by(User.created_at.desc(), User.id.desc())
        .limit(limit)
    )
    return list(await session.scalars(statement))


async def lock_users_with_email(session: AsyncSession, email: str) -> list[User]:
    """Every account with this address, locked in a fixed order, so two links for the same
    address are settled one after the other."""
    statement = (
        select(User)
        .where(User.email == email.lower())
        .order_by(User.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(await session.scalars(statement))


async def delete_pending_users(session: AsyncSession, ids: list[UUID]) -> None:
    if ids:
        await session.execute(delete(User).where(User.id.in_(ids), ~CLAIMED))


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


async def one_time_token(
    session: AsyncSession, token_hash: str, purpose: str, *, lock: bool = False
) -> OneTimeToken | None:
    statement = select(OneTimeToken).where(
        OneTimeToken.token_hash == token_hash, OneTimeToken.purpose == purpose
    )
    return await session.scalar(statement.with_for_update() if lock else statement)


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


async def erase_user(session: AsyncSession, user_id: UUID) -> None:
    """The login, its tokens (by cascade) and its e-mails waiting in the outbox go; the audit
    log keeps its entries without the IP addresses."""
    await session.execute(
        update(AuditLogEntry).where(AuditLogEntry.actor_user_id == user_id).values(ip=None)
    )
    await session.execute(
        delete(OutboxEvent).where(OutboxEvent.payload["user_id"].astext == str(user_id))
    )
    await session.execute(delete(User).where(User.id == user_id))


async def purge_tokens(session: AsyncSession, *, now: datetime, keep_used: timedelta) -> int:
    """Delete expired refresh and one-time tokens (used ones after `keep_used`); how many."""
    refresh = await session.execute(
        delete(RefreshToken).where(
            or_(
                RefreshToken.expires_at <= now,
                RefreshToken.revoked_at <= now - keep_used,
            )
        )
    )
    one_time = await session.execute(
        delete(OneTimeToken).where(OneTimeToken.expires_at <= now - keep_used)
    )
    return int(getattr(refresh, "rowcount", 0) or 0) + int(getattr(one_time, "rowcount", 0) or 0)
