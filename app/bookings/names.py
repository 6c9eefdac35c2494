"""The names the CRM shows beside ids: services, practitioners, clients."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings.models import Booking, BookingItem
from app.catalog import public as catalog
from app.clients import public as clients
from app.practitioners import public as practitioners


@dataclass(frozen=True, slots=True)
class Names:
    services: dict[UUID, str]
    practitioners: dict[UUID, str]
    clients: dict[UUID, str]


def display_name(client: clients.ClientRef) -> str:
    """A client as the CRM shows her: first and last name."""
    return f"{client.first_name} {client.last_name}".strip()


async def names_for(
    session: AsyncSession, bookings: Iterable[Booking], items: Iterable[BookingItem]
) -> Names:
    """Every name these bookings and items need, in three queries whatever their number."""
    items = list(items)
    people = await clients.get_clients(session, {b.client_id for b in bookings})
    return Names(
        services=await catalog.service_names(session, {i.service_id for i in items}),
        practitioners=await practitioners.practitioner_names(
            session, {i.practitioner_id for i in items}
        ),
        clients={cid: display_name(ref) for cid, ref in people.items()},
    )
