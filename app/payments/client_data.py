"""The payments domain's client data: payments (amounts kept ten years, the person dropped on
erasure), saved cards and provider customers."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.payments.public import (
    anonymize_client_payments,
    export_client_payments,
    reassign_client,
)


async def export(session: AsyncSession, client: clients.ClientIdentity) -> dict[str, Any]:
    return {"payments": await export_client_payments(session, client.id)}


async def erase(session: AsyncSession, client: clients.ClientIdentity) -> None:
    await anonymize_client_payments(session, client.id)


async def merge(session: AsyncSession, source_id: UUID, target_id: UUID) -> None:
    await reassign_client(session, source_id=source_id, target_id=target_id)


clients.declare_client_data(
    "payments",
    references={"payments.client_id", "saved_cards.client_id", "provider_customers.client_id"},
    export=export,
    erase=erase,
    merge=merge,
)
