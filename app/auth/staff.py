"""Staff accounts: created and changed by the owner and managers; the first owner from the
CLI."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import audit, repository
from app.auth.errors import EmailTaken, InsufficientRole, OwnerOnly, UserNotFound
from app.auth.models import Role, User, UserKind
from app.auth.principal import Principal
from app.auth.service import create_user, email_key, get_user
from app.auth.topics import TOPIC_STAFF_DEACTIVATED
from app.core import outbox, ratelimit
from app.core.clock import utcnow
from app.core.security import hash_password

# Payload: user_id, at. Followed by bookings (her calendar feed is revoked).


async def create_staff(
    session: AsyncSession,
    actor: Principal,
    *,
    email: str,
    password: str,
    role: Role,
    first_name: str,
    last_name: str,
) -> User:
    """Add a staff account. Only the owner may create owners and managers."""
    _check_may_grant(actor, role)
    user = await create_user(
        session,
        email=email,
        password=password,
        kind=UserKind.staff,
        role=role,
        first_name=first_name,
        last_name=last_name,
    )
    user.email_verified_at = utcnow()
    await audit.record(
        session,
        "user.created",
        actor_user_id=actor.user_id,
        subject_type="user",
        subject_id=user.id,
        data={"role": role},
    )
    return user


def _check_may_grant(actor: Principal, role: Role) -> None:
    if role in (Role.owner, Role.manager) and actor.role is not Role.owner:
        raise InsufficientRole("Only the owner can give the owner or manager role.")


async def update_staff(
    session: AsyncSession,
    actor: Principal,
    user_id: UUID,
    *,
    role: Role | None,
    is_active: bool | None,
    first_name: str | None,
    last_name: str | None,
) -> User:
    user = await get_user(session, user_id)
    if user.kind != UserKind.staff:
        raise UserNotFound()
    # A manager may not demote, deactivate or rename another manager (nor the owner): two
    # managers at odds settle it with the owner, not by locking each other out.
    if user.role in (Role.owner, Role.manager) and actor.role is not Role.owner:
        raise OwnerOnly("Only the owner can change a manager's or the owner's account.")
    changes: dict[str, object] = {}
    if role is not None and role != user.role:
        _check_may_grant(actor, role)
        changes["role"], user.role = role.value, role.value
    if is_active is not None and is_active != user.is_active:
        changes["is_active"], user.is_active = is_active, is_active
        if not is_active:
            await repository.revoke_all_for_user(session, user.id, utcnow())
            await outbox.enqueue(
                session, TOPIC_STAFF_DEACTIVATED, {"user_id": user.id, "at": utcnow()}
            )
    if first_name is not None:
        user.first_name = first_name
    if last_name is not None:
        user.last_name = last_name
    user.updated_at = utcnow()
    await audit.record(
        session,
        "user.updated",
        actor_user_id=actor.user_id,
        subject_type="user",
        subject_id=user.id,
        data=changes,
    )
    return user


async def unlock(session: AsyncSession, actor: Principal, user_id: UUID) -> None:
    """Lift a login lock before it expires (the client called the salon)."""
    user = await get_user(session, user_id)
    key = email_key(user.email)
    await ratelimit.clear(f"login:lock:{key}", f"login:fail:{key}")
    await audit.record(
        session,
        "auth.account_unlocked",
        actor_user_id=actor.user_id,
        subject_type="user",
        subject_id=user.id,
    )


async def has_active_owner(session: AsyncSession) -> bool:
    """Whether the salon has an owner account that can sign in."""
    return await repository.active_owner_exists(session)


async def ensure_admin(
    session: AsyncSession, *, email: str, password: str | None
) -> tuple[User, bool]:
    """Make sure an owner account with this e-mail exists; returns it and whether it was made.

    An existing account keeps its password unless one is given.
    """
    user = await repository.get_user_by_email(session, email)
    if user is None:
        if password is None:
            raise ValueError("a password is needed to create the admin")
        user = await create_user(
            session,
            email=email,
            password=password,
            kind=UserKind.staff,
            role=Role.owner,
            first_name="Admin",
            last_name="Salon",
        )
        user.email_verified_at = utcnow()
        return user, True
    if user.kind != UserKind.staff:
        raise EmailTaken("This e-mail belongs to a client account.")
    user.role, user.is_active = Role.owner.value, True
    if password is not None:
        user.password_hash = await hash_password(password)
        user.sessions_valid_after = utcnow()
    user.updated_at = utcnow()
    return user, False
