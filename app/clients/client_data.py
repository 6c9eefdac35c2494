"""Who holds data about a client. Each domain declares, at import (a `client_data.py` found
by app/registry.py), the columns of its tables that point at `clients.id` and what a merge,
a GDPR export and an erasure do to them. `merge.py` and `gdpr.py` go through this list and
name no domain; tests/clients/test_client_data.py fails when a foreign key to `clients.id`
exists in the database that no domain declares."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute


@dataclass(frozen=True, slots=True)
class ClientIdentity:
    """Who is being exported or erased, read before her record loses it (cards and messages
    found by her e-mail or phone rather than by her id)."""

    id: UUID
    email: str | None
    phone: str | None
    # The address of her account when she has not proven it: only what was sent to it for the
    # account itself (no client record named) is hers; other mail to it may be someone else's.
    unproven_email: str | None = None


# Returns the sections it adds to the export document ({"bookings": [...]}).
Export = Callable[[AsyncSession, ClientIdentity], Awaitable[dict[str, Any]]]
# Removes or anonymises what names her; figures the law keeps stay.
Erase = Callable[[AsyncSession, ClientIdentity], Awaitable[dict[str, Any] | None]]
# (source id, target id): every row of the source becomes the target's; returns counts for
# the audit entry ({"bookings_moved": 2}) or None.
Merge = Callable[[AsyncSession, UUID, UUID], Awaitable[dict[str, Any] | None]]


@dataclass(frozen=True, slots=True)
class ClientData:
    owner: str
    references: frozenset[str]  # "table.column" pointing at clients.id
    export: Export
    erase: Erase
    merge: Merge


class ClientDataNotLoaded(RuntimeError):
    """A merge or an erasure in a process that did not load app.registry: it would miss
    every other domain's rows."""


_declared: dict[str, ClientData] = {}


def declare_client_data(
    owner: str,
    *,
    references: set[str] | frozenset[str],
    export: Export,
    erase: Erase,
    merge: Merge,
) -> None:
    """Declare a domain's client data; declaring the same owner again replaces it."""
    _declared[owner] = ClientData(owner, frozenset(references), export, erase, merge)


def declared() -> list[ClientData]:
    """Every declaration, in the order the domains were loaded (app/registry.py)."""
    if len(_declared) < 2:  # the clients domain alone: the others were never imported
        raise ClientDataNotLoaded("Call app.registry.load_all() before a merge or an erasure.")
    return list(_declared.values())


def declared_client_references() -> dict[str, str]:
    """Every declared "table.column" pointing at clients.id, and the domain that owns it."""
    return {ref: data.owner for data in _declared.values() for ref in data.references}


def reassign(column: InstrumentedAttribute[Any]) -> Merge:
    """The merge of a column that only points at a client: the duplicate's rows point at the
    kept record."""

    async def merge(session: AsyncSession, source_id: UUID, target_id: UUID) -> None:
        await session.execute(
            update(column.class_).where(column == source_id).values({column.key: target_id})
        )

    return merge
