"""Every query on the sales tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.sales.models import (
    CashRegister,
    CreditNote,
    Order,
    OrderLine,
    OrderTender,
    ReceiptIssue,
    RegisterSession,
)


def registers() -> Select[Any]:
    return select(CashRegister)


def orders_query(*, status: str | None, register_id: UUID | None) -> Select[Any]:
    query = select(Order)
    if status is not None:
        query = query.where(Order.status == status)
    if register_id is not None:
        query = query.where(Order.register_id == register_id)
    return query


async def get_order(session: AsyncSession, order_id: UUID, *, lock: bool = False) -> Order | None:
    query = select(Order).where(Order.id == order_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def order_by_ticket(session: AsyncSession, record_id: UUID, *, lock: bool) -> Order | None:
    query = select(Order).where(Order.ticket_record_id == record_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def lines_of(session: AsyncSession, order_id: UUID) -> list[OrderLine]:
    query = select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.position)
    return list((await session.execute(query)).scalars())


async def tenders_of(session: AsyncSession, order_id: UUID) -> list[OrderTender]:
    query = (
        select(OrderTender)
        .where(OrderTender.order_id == order_id)
        .order_by(OrderTender.created_at, OrderTender.id)
    )
    return list((await session.execute(query)).scalars())


async def credits_of(session: AsyncSession, order_id: UUID) -> list[CreditNote]:
    query = (
        select(CreditNote).where(CreditNote.order_id == order_id).order_by(CreditNote.created_at)
    )
    return list((await session.execute(query)).scalars())


async def open_registers(session: AsyncSession) -> list[UUID]:
    query = select(RegisterSession.register_id).where(RegisterSession.closed_at.is_(None))
    return list((await session.execute(query)).scalars())


async def get_register(
    session: AsyncSession, register_id: UUID, *, lock: bool = False
) -> CashRegister | None:
    query = select(CashRegister).where(CashRegister.id == register_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def open_session(
    session: AsyncSession, register_id: UUID, *, lock: bool = False
) -> RegisterSession | None:
    query = select(RegisterSession).where(
        RegisterSession.register_id == register_id, RegisterSession.closed_at.is_(None)
    )
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def last_session(session: AsyncSession, register_id: UUID) -> RegisterSession | None:
    query = (
        select(RegisterSession)
        .where(RegisterSession.register_id == register_id)
        .order_by(RegisterSession.opened_at.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def count_issue(session: AsyncSession, record_id: UUID, now: Any) -> int:
    """One more issue of this ticket's receipt; returns how many there are now (1: the
    original). Two at once queue on the row: each gets its own count."""
    statement = (
        insert(ReceiptIssue)
        .values(journal_record_id=record_id, issued=1, first_issued_at=now, last_issued_at=now)
        .on_conflict_do_update(
            index_elements=[ReceiptIssue.journal_record_id],
            set_={"issued": ReceiptIssue.issued + 1, "last_issued_at": now},
        )
        .returning(ReceiptIssue.issued)
    )
    return int((await session.execute(statement)).scalar_one())


async def sessions_closed_between(
    session: AsyncSession, start: datetime, end: datetime
) -> list[tuple[RegisterSession, str]]:
    """The sessions closed in [start, end), each with its till's name, in closing order."""
    query = (
        select(RegisterSession, CashRegister.name)
        .join(CashRegister, CashRegister.id == RegisterSession.register_id)
        .where(RegisterSession.closed_at >= start, RegisterSession.closed_at < end)
        .order_by(RegisterSession.closed_at, RegisterSession.id)
    )
    return [(row[0], row[1]) for row in await session.execute(query)]


async def completed_order_of_booking(session: AsyncSession, booking_id: UUID) -> Order | None:
    """The booking's order once its ticket is issued (a booking is checked out once)."""
    query = select(Order).where(Order.booking_id == booking_id, Order.status == "completed")
    return (await session.execute(query)).scalar_one_or_none()
