"""The till's client data: a client's orders and their tickets. An order holds amounts and
the link to the record, nothing more personal. Her name printed on a ticket stays in the
journal: tickets are kept unaltered six years by law (CGI 286 I-3° bis, LPF L102 B), which
GDPR art. 17(3)(b) puts before erasure. A merge moves the orders to the kept record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.sales.models import Order


async def export(session: AsyncSession, client: clients.ClientIdentity) -> dict[str, Any]:
    orders = await session.scalars(
        select(Order).where(Order.client_id == client.id).order_by(Order.created_at)
    )
    return {
        "till_orders": [
            {
                "id": order.id,
                "status": order.status,
                "ticket_number": order.ticket_number,
                "total_cents": order.total_cents,
                "created_at": order.created_at,
                "completed_at": order.completed_at,
            }
            for order in orders
        ]
    }


async def erase(session: AsyncSession, client: clients.ClientIdentity) -> None:
    return None  # amounts and dates only; the journal keeps its tickets (see above)


clients.declare_client_data(
    "sales",
    references={"sales_orders.client_id"},
    export=export,
    erase=erase,
    merge=clients.reassign(Order.client_id),
)
