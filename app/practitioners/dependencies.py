"""Loaders for a practitioner's own schedule: a practitioner acts on herself, the roles
given on anyone; a colleague's answers 403 (practitioners are public, nothing to hide)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated
from uuid import UUID

from fastapi import Depends

from app.auth.public import FRONT_DESK, MANAGERS, Access, Role, Rule, Staff, rule
from app.core.db import DbSession
from app.practitioners.models import Practitioner
from app.practitioners.service import ensure_self_or, get_practitioner


def self_or(*roles: Role) -> Callable[..., Awaitable[Practitioner]]:
    """A dependency: the practitioner of the path, if she is the caller or the caller has
    one of `roles`."""
    declared = Rule.of(
        "practitioner: herself only",
        practitioner=Access.own,
        **{r.value: Access.yes for r in roles},
    )

    @rule(declared)
    async def load(practitioner_id: UUID, principal: Staff, session: DbSession) -> Practitioner:
        practitioner = await get_practitioner(session, practitioner_id)
        ensure_self_or(principal, practitioner, *roles)
        return practitioner

    return load


SelfOrManager = Annotated[Practitioner, Depends(self_or(*MANAGERS))]
SelfOrFrontDesk = Annotated[Practitioner, Depends(self_or(*FRONT_DESK))]
