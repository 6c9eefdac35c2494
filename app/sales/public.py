"""What other domains use of sales: which till is open (a ticket names its till and is
appended to the journal with its `register_id`), the cash a session expects, the sessions
closed (for the reports), and the ticket event the accounting follows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.sales import repository, service
from app.sales.service import DENOMINATIONS, ExpectedCash
from app.sales.topics import TOPIC_TICKET_ISSUED, SoldLine, SoldTender, TicketIssued, TipOwed

__all__ = [
    "DENOMINATIONS",
    "TOPIC_TICKET_ISSUED",
    "ClosedSession",
    "ExpectedCash",
    "OpenTill",
    "SoldLine",
    "SoldTender",
    "TicketIssued",
    "TipOwed",
    "closed_sessions",
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


@dataclass(frozen=True, slots=True)
class ClosedSession:
    """A till session once closed: the cash it expected, the cash counted, the difference."""

    session_id: UUID
    register_id: UUID
    till: str
    opened_at: datetime
    closed_at: datetime
    expected_cents: int
    counted_cents: int
    difference_cents: int  # counted - expected
    closed_by_user_id: UUID | None


async def closed_sessions(
    session: AsyncSession, start: datetime, end: datetime
) -> list[ClosedSession]:
    """The till sessions closed in [start, end), in closing order."""
    rows = await repository.sessions_closed_between(session, start, end)
    return [
        ClosedSession(
            opened.id,
            opened.register_id,
            till,
            opened.opened_at,
            opened.closed_at or opened.opened_at,
            opened.expected_cents or 0,
            opened.counted_cents or 0,
            opened.difference_cents or 0,
            opened.closed_by_user_id,
        )
        for opened, till in rows
    ]
