"""Loaders of the invoice routes: 404 inside the dependency; a client reaches only hers."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends

from app.auth.public import ClientSelf, DbSession, FrontDesk
from app.clients import public as clients
from app.invoicing import service
from app.invoicing.errors import InvoiceNotFound
from app.invoicing.models import Invoice


async def invoice_for_desk(invoice_id: UUID, _: FrontDesk, session: DbSession) -> Invoice:
    return await service.get_invoice(session, invoice_id)


async def own_client_id(principal: ClientSelf, session: DbSession) -> UUID | None:
    """The signed-in client's record (None: an account without one has no invoices)."""
    ref = await clients.client_for_user(session, principal.user_id)
    return None if ref is None else ref.id


OwnClientId = Annotated[UUID | None, Depends(own_client_id)]


async def invoice_for_client(
    invoice_id: UUID, client_id: OwnClientId, session: DbSession
) -> Invoice:
    """Her own invoice, or 404 (another client's answers exactly as an unknown id)."""
    if client_id is None:
        raise InvoiceNotFound()
    return await service.get_invoice(session, invoice_id, client_id=client_id)


InvoiceForDesk = Annotated[Invoice, Depends(invoice_for_desk)]
InvoiceForClient = Annotated[Invoice, Depends(invoice_for_client)]
