"""What other domains may use from auth: identities, permission types and the audit log."""

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import repository
from app.auth.audit import record as record_audit
from app.auth.dependencies import (
    BEARER_SCHEME,
    OPTIONAL_BEARER_SCHEME,
    ClientIp,
    ClientSelf,
    CurrentUser,
    FrontDesk,
    Manager,
    MaybeUser,
    Owner,
    Staff,
    ensure_self_or_roles,
    is_write,
    require,
)
from app.auth.limits import limit_visitor
from app.auth.models import Role, UserKind
from app.auth.permissions import Access, Rule, declared_in_handler, rule
from app.auth.principal import ALL_STAFF, FRONT_DESK, MANAGERS, Principal
from app.auth.topics import (
    TOPIC_EMAIL_VERIFICATION,
    TOPIC_PASSWORD_RESET,
    TOPIC_STAFF_DEACTIVATED,
    AccountEmailRequested,
    StaffDeactivated,
)
from app.core.db import DbSession  # re-exported: defined in core since issue 13


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


async def staff_names(session: AsyncSession, ids: Iterable[UUID]) -> dict[UUID, str]:
    """First and last name of each of these users (an unknown id is absent)."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    return await repository.user_names(session, wanted)


__all__ = [
    "ALL_STAFF",
    "BEARER_SCHEME",
    "FRONT_DESK",
    "MANAGERS",
    "OPTIONAL_BEARER_SCHEME",
    "TOPIC_EMAIL_VERIFICATION",
    "TOPIC_PASSWORD_RESET",
    "TOPIC_STAFF_DEACTIVATED",
    "Access",
    "AccountEmailRequested",
    "ClientIp",
    "ClientSelf",
    "CurrentUser",
    "DbSession",
    "FrontDesk",
    "Manager",
    "MaybeUser",
    "Owner",
    "Principal",
    "Role",
    "Rule",
    "Staff",
    "StaffDeactivated",
    "UserKind",
    "UserRef",
    "declared_in_handler",
    "ensure_self_or_roles",
    "get_user_ref",
    "is_write",
    "limit_visitor",
    "record_audit",
    "require",
    "rule",
    "staff_names",
]


async def erase_account(session: AsyncSession, user_id: UUID) -> None:
    """GDPR erasure of a client account: the login, its tokens and the e-mails waiting to be
    sent are deleted; the audit log keeps its entries without the IP addresses."""
    await repository.erase_user(session, user_id)


async def account_export(session: AsyncSession, user_id: UUID) -> dict[str, object] | None:
    """What the account holds, for a GDPR export."""
    user = await repository.get_user(session, user_id)
    if user is None:
        return None
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "created_at": user.created_at,
        "email_verified_at": user.email_verified_at,
        "last_login_at": user.last_login_at,
    }
