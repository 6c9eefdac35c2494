"""Whose client records a caller may open: the one scope check of every client route.

Front desk staff and managers see every client; a practitioner sees the clients she has
served or is booked with; reception does not read health notes. Out of scope answers 404.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends
from sqlalchemy import Select

from app.auth.public import FRONT_DESK, Access, Principal, Role, Rule, Staff, require, rule
from app.bookings import public as bookings
from app.clients.errors import ClientNotFound
from app.clients.models import Client
from app.clients.service import get_client
from app.core.db import DbSession
from app.practitioners import public as practitioners

_OWN, _YES = Access.own, Access.yes
_RECORD = Rule.of(
    "client: a practitioner's own clients (served or booked with her)",
    practitioner=_OWN,
    receptionist=_YES,
    manager=_YES,
    owner=_YES,
)
_HEALTH = Rule.of(
    "health notes: the practitioners who treat her, managers; each read audited",
    practitioner=_OWN,
    manager=_YES,
    owner=_YES,
)
# Roles that treat clients read and write health notes; reception does not.
Treating = Annotated[Principal, Depends(require(Role.owner, Role.manager, Role.practitioner))]


async def _scope(session: DbSession, principal: Principal) -> Select[UUID] | None:
    """None for front desk staff (every client), else the ids of the practitioner's."""
    if principal.has_role(*FRONT_DESK):
        return None
    own = await practitioners.practitioner_for_user(session, principal.user_id)
    return bookings.clients_of_practitioner(own)


async def _in_scope(session: DbSession, principal: Principal, client_id: UUID) -> Client:
    if not principal.has_role(*FRONT_DESK):
        own = await practitioners.practitioner_for_user(session, principal.user_id)
        if own is None or not await bookings.practitioner_serves(session, own, client_id):
            raise ClientNotFound()
    return await get_client(session, client_id)


@rule(_RECORD)
async def client_in_scope(client_id: UUID, principal: Staff, session: DbSession) -> Client:
    return await _in_scope(session, principal, client_id)


@rule(_HEALTH)
async def client_for_health_notes(
    client_id: UUID, principal: Treating, session: DbSession
) -> Client:
    return await _in_scope(session, principal, client_id)


@rule(_RECORD)
async def client_list_scope(principal: Staff, session: DbSession) -> Select[UUID] | None:
    """For lists and search: None (every client) or the ids a practitioner may see."""
    return await _scope(session, principal)


ClientInScope = Annotated[Client, Depends(client_in_scope)]
ClientForHealthNotes = Annotated[Client, Depends(client_for_health_notes)]
ClientListScope = Annotated[Select[UUID] | None, Depends(client_list_scope)]
