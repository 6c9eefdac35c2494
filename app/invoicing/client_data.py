"""The invoicing domain's client data: her invoices name her. They are accounting records
(kept ten years, Code de commerce L123-22): an erasure leaves them, a merge moves them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.invoicing import repository
from app.invoicing.models import Invoice


async def export(session: AsyncSession, client: clients.ClientIdentity) -> dict[str, Any]:
    return {
        "invoices": [
            {
                "number": invoice.number,
                "kind": invoice.kind,
                "issued_at": invoice.issued_at.isoformat(),
                "total_incl_vat_cents": invoice.total_incl_vat_cents,
            }
            for invoice in await repository.of_client(session, client.id)
        ]
    }


async def erase(session: AsyncSession, client: clients.ClientIdentity) -> None:
    """Nothing: an issued invoice is never changed (the law keeps it)."""


clients.declare_client_data(
    "invoices",
    references={"invoices.client_id"},
    export=export,
    erase=erase,
    merge=clients.reassign(Invoice.client_id),
)
