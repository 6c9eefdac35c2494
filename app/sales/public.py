"""What other domains use of sales' tills: which till is open (a ticket names its till and
is appended to the journal with its `register_id`), and the cash a session expects."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.sales import repository, service
from app.sales.service import DENOMINATIONS, ExpectedCash
from app.sales.topics import TOPIC_TICKET_ISSUED, SoldLine, SoldTender, TicketIssued, TipOwed

__all__ = [
    "DENOMINATIONS",
    "TOPIC_TICKET_ISSUED",
    "ExpectedCash",
    "OpenTill",
    "SoldLine",
    "SoldTender",
    "TicketIssued",
    "TipOwed",
    "expected_cash",
    "open_till",
]


@dataclass(frozen=True, slots=True)
class OpenTill:
    register_id: UUID
    name: str  # the `till` of a TicketPayload
    session_id: UUID


async def open_till(session: AsyncSession, register_id: UUID) -> OpenTill:
    """The till and its open session (RegisterNotFound, RegisterNotOpen otherwise)."""
    register = await service.get_register(session, register_id)
    opened = await service.current_session(session, register)
    return OpenTill(register.id, register.name, opened.id)


async def expected_cash(session: AsyncSession, register_id: UUID) -> ExpectedCash | None:
    """The cash the till's open session expects now; None when the till is closed."""
    opened = await repository.open_session(session, register_id)
    return None if opened is None else await service.expected_cash(session, opened)
