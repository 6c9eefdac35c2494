"""Who is calling: the identity every permission check works on."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from app.auth.models import Role, UserKind


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: UUID
    kind: UserKind
    role: Role | None
    email: str

    @property
    def is_staff(self) -> bool:
        return self.kind is UserKind.staff

    def has_role(self, *roles: Role) -> bool:
        return self.is_staff and self.role in roles


MANAGERS = (Role.owner, Role.manager)
FRONT_DESK = (Role.owner, Role.manager, Role.receptionist)
ALL_STAFF = tuple(Role)
