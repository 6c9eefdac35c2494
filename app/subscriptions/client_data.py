"""The subscriptions domain's client data: a client's memberships. They hold no personal
text: on erasure they stay (their invoices are accounting records) pointing at the anonymised
record; a merge moves them to the kept record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.subscriptions.models import Subscription


async def export(session: AsyncSession, client: clients.ClientIdentity) -> dict[str, Any]:
    rows = await session.scalars(select(Subscription).where(Subscription.client_id == client.id))
    return {
        "subscriptions": [
            {
                "id": str(row.id),
                "plan_id": str(row.plan_id),
                "status": row.status,
                "created_at": row.created_at.isoformat(),
                "cancelled_at": row.cancelled_at.isoformat() if row.cancelled_at else None,
            }
            for row in rows
        ]
    }


async def erase(session: AsyncSession, client: clients.ClientIdentity) -> None:
    """Nothing to wipe: a membership is dates and amounts, kept for the books."""


clients.declare_client_data(
    "subscriptions",
    references={"subscriptions.client_id"},
    export=export,
    erase=erase,
    merge=clients.reassign(Subscription.client_id),
)
