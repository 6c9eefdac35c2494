"""What other domains may use from auth: identities, permission types and the audit log."""

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import repository
from app.auth.audit import record as record_audit
from app.auth.dependencies import (
    ClientSelf,
    CurrentUser,
    DbSession,
    FrontDesk,
    Manager,
    MaybeUser,
    Owner,
    Staff,
    ensure_self_or_roles,
    require,
)
from app.auth.models import Role, UserKind
from app.auth.principal import ALL_STAFF, FRONT_DESK, MANAGERS, Principal


@dataclass(frozen=True, slots=True)
class UserRef:
    id: UUID
    email: str
    kind: UserKind
    role: Role | None
    is_active: bool


async def get_user_ref(session: AsyncSession, user_id: UUID) -> UserRef | None:
    user = await repository.get_user(session, user_id)
    if user is None:
        return None
    return UserRef(
        user.id,
        user.email,
        UserKind(user.kind),
        Role(user.role) if user.role else None,
        user.is_active,
    )


__all__ = [
    "ALL_STAFF",
    "FRONT_DESK",
    "MANAGERS",
    "ClientSelf",
    "CurrentUser",
    "DbSession",
    "FrontDesk",
    "Manager",
    "MaybeUser",
    "Owner",
    "Principal",
    "Role",
    "Staff",
    "UserKind",
    "UserRef",
    "ensure_self_or_roles",
    "get_user_ref",
    "record_audit",
    "require",
]
