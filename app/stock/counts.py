"""Inventory counts: a sheet of products with what the stock expects, the quantities staff
found, and on closing each difference booked as a `count` movement, with its report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.db import flush_or_raise
from app.stock import repository, service
from app.stock.errors import CountAlreadyOpen, CountClosed, CountNotFound, NotOnCount
from app.stock.models import (
    Cause,
    CountStatus,
    ReferenceKind,
    StockCount,
    StockCountLine,
)


@dataclass(frozen=True, slots=True)
class CountSheet:
    count: StockCount
    lines: list[StockCountLine]


@dataclass(frozen=True, slots=True)
class CountReport:
    count: StockCount
    lines: list[StockCountLine]
    counted: int  # products counted
    not_counted: int  # on the sheet, left blank: unchanged
    difference_value_cents: int  # the value the differences added (or took, when negative)


async def get_count(session: AsyncSession, count_id: UUID, *, lock: bool = False) -> StockCount:
    count = await repository.get_count(session, count_id, lock=lock)
    if count is None:
        raise CountNotFound()
    return count


async def sheet(session: AsyncSession, count: StockCount) -> CountSheet:
    return CountSheet(count, await repository.count_lines(session, count.id))


async def open_count(
    session: AsyncSession,
    *,
    product_ids: Sequence[UUID] | None,
    note: str | None,
    actor_user_id: UUID | None,
) -> CountSheet:
    """A new sheet: the products given (every stocked product with None), each with what
    the stock holds now. One count is open at a time."""
    if await repository.open_count_exists(session):
        raise CountAlreadyOpen()
    if product_ids is None:
        product_ids = await repository.all_item_ids(session)
    else:
        await service.ensure_items(session, product_ids)
    items = await repository.items_by_id(session, product_ids)
    count = StockCount(
        status=CountStatus.open, note=note, opened_at=utcnow(), opened_by_user_id=actor_user_id
    )
    session.add(count)
    await flush_or_raise(session, CountAlreadyOpen())
    for product_id in sorted(set(product_ids)):
        session.add(
            StockCountLine(
                count_id=count.id, product_id=product_id, expected=items[product_id].on_hand
            )
        )
    await session.flush()
    return await sheet(session, count)


async def enter(
    session: AsyncSession, count: StockCount, entries: Sequence[tuple[UUID, int]]
) -> CountSheet:
    """Quantities found on the shelf. Each line's `expected` becomes what the stock held at
    that moment, so a sale made during the count is not counted as missing."""
    if count.status != CountStatus.open:
        raise CountClosed()
    lines = {line.product_id: line for line in await repository.count_lines(session, count.id)}
    if missing := {product_id for product_id, _ in entries} - lines.keys():
        raise NotOnCount(extra={"product_ids": sorted(str(p) for p in missing)})
    items = await repository.items_by_id(session, lines.keys())
    now = utcnow()
    for product_id, counted in entries:
        line = lines[product_id]
        line.counted, line.counted_at = counted, now
        line.expected = items[product_id].on_hand
    await session.flush()
    return await sheet(session, count)


async def close(
    session: AsyncSession, count: StockCount, *, actor_user_id: UUID | None
) -> CountReport:
    """Book every counted line's difference as a `count` movement and close the sheet. A
    difference the stock can no longer give (sold since) takes what is left."""
    if count.status != CountStatus.open:
        raise CountClosed()
    lines = await repository.count_lines(session, count.id)
    counted = [line for line in lines if line.counted is not None]
    items = await service.lock(session, [line.product_id for line in counted])
    reference = service.Reference(ReferenceKind.stock_count, count.id)
    for line in counted:
        assert line.counted is not None  # noqa: S101 - filtered above
        line.difference, line.value_cents = line.counted - line.expected, 0
        if line.difference == 0:
            continue
        change = service.Change(line.product_id, line.difference, Cause.stock_count)
        movement = await service.apply(
            session,
            items[line.product_id],
            change,
            reference=reference,
            actor_user_id=actor_user_id,
            clamp=True,
        )
        line.value_cents = movement.value_cents if movement else 0
    count.status, count.closed_at = CountStatus.closed, utcnow()
    count.closed_by_user_id = actor_user_id
    await session.flush()
    return report(count, lines)


def report(count: StockCount, lines: list[StockCountLine]) -> CountReport:
    """Expected, counted, difference and its value, line by line, and the totals."""
    counted = [line for line in lines if line.counted is not None]
    return CountReport(
        count=count,
        lines=lines,
        counted=len(counted),
        not_counted=len(lines) - len(counted),
        difference_value_cents=sum(line.value_cents or 0 for line in counted),
    )
