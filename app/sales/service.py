"""Tills and their sessions: open with a float, take cash in and out, close with the cash
counted per denomination. Every step is a journal record naming the till; the expected cash
is read back from those records, and the difference is recorded, never hidden."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.journal import public as journal
from app.sales import repository
from app.sales.errors import (
    RegisterAlreadyOpen,
    RegisterNameTaken,
    RegisterNotFound,
    RegisterNotOpen,
)
from app.sales.models import CashRegister, RegisterSession

# The euro's notes and coins, in cents: what a closing counts.
DENOMINATIONS = (50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1)
SALE_KINDS = (
    journal.RecordKind.ticket,
    journal.RecordKind.credit_ticket,
    journal.RecordKind.cancellation,
)
_SESSION_KINDS = (journal.RecordKind.cash_movement, *SALE_KINDS)


@dataclass(frozen=True, slots=True)
class ExpectedCash:
    """What the drawer should hold: the float, the cash taken in and out, and the cash the
    session's tickets took (net of the change given; a credit ticket paid back in cash is
    negative)."""

    float_cents: int
    cash_in_cents: int
    cash_out_cents: int
    sales_cash_cents: int

    @property
    def total_cents(self) -> int:
        return self.float_cents + self.cash_in_cents - self.cash_out_cents + self.sales_cash_cents


async def create_register(session: AsyncSession, *, name: str) -> CashRegister:
    register = CashRegister(name=name.strip(), created_at=utcnow())
    try:
        async with session.begin_nested():
            session.add(register)
            await session.flush()
    except IntegrityError as exc:
        raise RegisterNameTaken() from exc
    return register


async def get_register(
    session: AsyncSession, register_id: UUID, *, lock: bool = False
) -> CashRegister:
    register = await repository.get_register(session, register_id, lock=lock)
    if register is None:
        raise RegisterNotFound()
    return register


async def open_register(
    session: AsyncSession, register: CashRegister, *, float_cents: int, actor_id: UUID | None
) -> RegisterSession:
    """Open a session with the float counted in the drawer. One open session per till: the
    partial unique index settles two openings at once (the loser's transaction, its journal
    record with it, is rolled back by the caller on RegisterAlreadyOpen)."""
    now = utcnow()
    if await repository.open_session(session, register.id) is not None:
        raise RegisterAlreadyOpen()
    ref = await journal.append(
        session,
        journal.RecordKind.register_opened,
        journal.RegisterOpenedPayload(float_cents=float_cents, at=now),
        register_id=register.id,
    )
    opened = RegisterSession(
        register_id=register.id,
        float_cents=float_cents,
        opened_at=now,
        opened_by_user_id=actor_id,
        opened_record_id=ref.id,
        opened_sequence=ref.sequence,
    )
    try:
        async with session.begin_nested():
            session.add(opened)
            await session.flush()
    except IntegrityError as exc:
        raise RegisterAlreadyOpen() from exc
    return opened


async def current_session(session: AsyncSession, register: CashRegister) -> RegisterSession:
    found = await repository.open_session(session, register.id, lock=True)
    if found is None:
        raise RegisterNotOpen()
    return found


async def record_cash_movement(
    session: AsyncSession,
    register: CashRegister,
    *,
    direction: Literal["in", "out"],
    amount_cents: int,
    reason: str,
    actor_id: UUID,
) -> journal.RecordRef:
    """Cash put in or taken out of an open till, with its reason and who: a journal record."""
    await current_session(session, register)
    payload = journal.CashMovementPayload(
        direction=direction,
        amount_cents=amount_cents,
        reason=reason,
        at=utcnow(),
        actor_id=actor_id,
    )
    return await journal.append(
        session, journal.RecordKind.cash_movement, payload, register_id=register.id
    )


async def session_records(
    session: AsyncSession, opened: RegisterSession
) -> list[journal.StoredRecord]:
    """The cash movements and tickets of the till since this session opened (the records
    after its `register_opened` one; a closed session ends at its `register_closed`)."""
    records = await journal.register_records(
        session, opened.register_id, after_sequence=opened.opened_sequence, kinds=_SESSION_KINDS
    )
    if opened.closed_record_id is None:
        return records
    closed = await journal.get_record(session, opened.closed_record_id)
    end = closed.sequence if closed is not None else None
    return [r for r in records if end is None or r.sequence < end]


def cash_of(records: Sequence[journal.StoredRecord], float_cents: int) -> ExpectedCash:
    cash_in = cash_out = sales = 0
    for record in records:
        payload = record.payload
        if record.kind == journal.RecordKind.cash_movement:
            if payload["direction"] == "in":
                cash_in += payload["amount_cents"]
            else:
                cash_out += payload["amount_cents"]
            continue
        tendered = sum(
            t["amount_cents"]
            for t in payload["tenders"]
            if t["method"] == journal.TenderMethod.cash
        )
        sales += tendered - payload.get("change_cents", 0)
    return ExpectedCash(float_cents, cash_in, cash_out, sales)


async def expected_cash(session: AsyncSession, opened: RegisterSession) -> ExpectedCash:
    """The extension point of the orders: tickets count here once they are appended to the
    journal with `register_id` set to their till (and cash tenders as `cash`)."""
    return cash_of(await session_records(session, opened), opened.float_cents)


async def close_register(
    session: AsyncSession,
    register: CashRegister,
    *,
    counted: Sequence[journal.DenominationCount],
    actor_id: UUID,
) -> tuple[RegisterSession, ExpectedCash]:
    """Close the open session with the cash counted per denomination; the expected cash and
    the difference are journaled (`register_closed`) and kept on the session."""
    opened = await current_session(session, register)
    expected = await expected_cash(session, opened)
    counted_cents = sum(d.value_cents * d.count for d in counted)
    now = utcnow()
    payload = journal.RegisterClosedPayload(
        expected_cents=expected.total_cents,
        counted_cents=counted_cents,
        difference_cents=counted_cents - expected.total_cents,
        denominations=tuple(counted),
        at=now,
    )
    ref = await journal.append(
        session, journal.RecordKind.register_closed, payload, register_id=register.id
    )
    opened.closed_at, opened.closed_by_user_id, opened.closed_record_id = now, actor_id, ref.id
    opened.expected_cents, opened.counted_cents = expected.total_cents, counted_cents
    opened.difference_cents = payload.difference_cents
    await session.flush()
    return opened, expected
