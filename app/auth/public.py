"""What other domains may use from auth: identities, permission types and the audit log."""

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
    "ensure_self_or_roles",
    "record_audit",
    "require",
]
