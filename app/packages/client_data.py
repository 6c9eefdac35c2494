"""The packages domain's client data: the packages a client bought and their uses. They hold
no personal text (name, e-mail…): on erasure they stay, as accounting records of a
prepayment, pointing at the anonymised record; a merge moves them to the kept record, so
her packages (and their remaining sessions) add up there."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.packages.models import Package
from app.packages.public import export_client_packages


async def export(session: AsyncSession, client: clients.ClientIdentity) -> dict[str, Any]:
    return {"packages": await export_client_packages(session, client.id)}


async def erase(session: AsyncSession, client: clients.ClientIdentity) -> None:
    """Nothing to wipe: a package is amounts and dates, kept for the books."""


clients.declare_client_data(
    "packages",
    references={"packages.client_id"},
    export=export,
    erase=erase,
    merge=clients.reassign(Package.client_id),
)
