"""The books' client data: a business client's auxiliary account (411). An accounting
record (kept ten years, Code de commerce L123-22): an erasure leaves it; a merge keeps the
kept record's account, or gives it the duplicate's (entries keep the code they were
written with)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounting.models import ClientAccount
from app.clients import public as clients


async def export(session: AsyncSession, client: clients.ClientIdentity) -> dict[str, Any]:
    found = await session.get(ClientAccount, client.id)
    if found is None:
        return {}
    return {"client_account": {"number": found.number, "label": found.label}}


async def erase(session: AsyncSession, client: clients.ClientIdentity) -> None:
    """Nothing: the code names a company in the books, which the law keeps."""


async def merge(session: AsyncSession, source_id: UUID, target_id: UUID) -> None:
    kept = await session.scalar(
        select(ClientAccount.client_id).where(ClientAccount.client_id == target_id)
    )
    if kept is not None:
        await session.execute(delete(ClientAccount).where(ClientAccount.client_id == source_id))
    else:
        await session.execute(
            update(ClientAccount)
            .where(ClientAccount.client_id == source_id)
            .values(client_id=target_id)
        )


clients.declare_client_data(
    "accounting",
    references={"accounting_client_accounts.client_id"},
    export=export,
    erase=erase,
    merge=merge,
)
