"""The reports' use cases: each reads one range of local dates (at most 366 days) through
the public modules of the journal, stock, sales, catalog, practitioners and auth. Reports are
not paginated: the date range bounds them (a row per day, tender, rate, category, item,
practitioner, product and cause, or closed till session)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import public as auth
from app.catalog import public as catalog
from app.core.timeutils import zone
from app.journal import public as journal
from app.reports import labels
from app.reports.periods import Period, period
from app.reports.sales import (
    PARTS,
    GroupBy,
    Part,
    Sale,
    SalesRow,
    by_quantity,
    in_order,
    line_parts,
    rows,
    totals,
)
from app.sales import public as sales
from app.stock import public as stock


@dataclass(frozen=True, slots=True)
class SalesReport:
    date_from: date
    date_to: date
    group_by: GroupBy
    rows: list[SalesRow]
    totals: SalesRow


@dataclass(frozen=True, slots=True)
class BestSellers:
    date_from: date
    date_to: date
    kind: Literal["service", "product"]
    rows: list[SalesRow]


async def _sales(session: AsyncSession, span: Period) -> list[Sale]:
    """The journal's sales in the range (never the training chain's)."""
    tz = zone()
    return [
        Sale(
            record_id=record.id,
            correction=record.kind != journal.RecordKind.ticket,
            day=record.recorded_at.astimezone(tz).date(),
            ticket=journal.TicketPayload.model_validate(record.payload),
        )
        for record in await journal.sale_records(session, span.start, span.end)
    ]


def _lines(found: list[Sale]) -> list[journal.TicketLine]:
    return [line for sale in found for line in sale.ticket.lines]


async def _parts(
    session: AsyncSession, found: list[Sale], group_by: GroupBy
) -> tuple[Iterator[Part], dict[str, str]]:
    """The parts of a report and the labels of their keys."""
    lines = _lines(found)
    if group_by == "category":
        key_of, named = await labels.category_keys(session, lines)
        return line_parts(found, key_of), named
    if group_by == "product":
        return line_parts(found, labels.item_key()), await labels.item_names(session, lines)
    if group_by == "practitioner":
        named = await labels.practitioner_labels(session, lines)
        return PARTS[group_by](found), named
    if group_by == "tender":
        return PARTS[group_by](found), {str(k): v for k, v in journal.TENDER_LABELS.items()}
    if group_by == "vat_rate":
        rates = {str(vat.rate) for sale in found for vat in sale.ticket.vat}
        return PARTS[group_by](found), {rate: labels.vat_label(rate) for rate in rates}
    days = {sale.day.isoformat(): labels.day_label(sale.day) for sale in found}
    return PARTS["day"](found), days


async def sales_report(
    session: AsyncSession, *, date_from: date, date_to: date, group_by: GroupBy
) -> SalesReport:
    """The journal's sales over the range, net of credit tickets and cancellations, in rows
    of `group_by`, and their total."""
    span = period(date_from, date_to)
    found = await _sales(session, span)
    parts, named = await _parts(session, found, group_by)
    ordered = in_order(rows(parts, named), group_by)
    return SalesReport(span.first, span.last, group_by, ordered, totals(found, group_by))


async def best_sellers(
    session: AsyncSession,
    *,
    date_from: date,
    date_to: date,
    kind: Literal["service", "product"],
    limit: int,
) -> BestSellers:
    """The services (or products) sold most over the range, by net quantity then revenue."""
    span = period(date_from, date_to)
    found = await _sales(session, span)
    named = await labels.item_names(session, _lines(found))
    ranked = by_quantity(rows(line_parts(found, labels.item_key(kind)), named))
    return BestSellers(span.first, span.last, kind, ranked[:limit])


@dataclass(frozen=True, slots=True)
class StockMovementRow:
    product_id: UUID
    product: str
    unit: str
    cause: str
    cause_label: str
    movements: int
    quantity: int  # signed, stock units
    value_cents: int  # the change of the stock's value, at cost


@dataclass(frozen=True, slots=True)
class StockMovementsReport:
    date_from: date
    date_to: date
    rows: list[StockMovementRow]
    value_cents: int  # the net change of the stock's value over the range


def _stock_rows(
    found: Iterable[stock.MovementTotal], names: dict[UUID, str]
) -> list[StockMovementRow]:
    made = [
        StockMovementRow(
            product_id=total.product_id,
            product=names.get(total.product_id, str(total.product_id)),
            unit=total.unit,
            cause=total.cause,
            cause_label=labels.CAUSE_LABELS.get(total.cause, total.cause),
            movements=total.movements,
            quantity=total.quantity,
            value_cents=total.value_cents,
        )
        for total in found
    ]
    order = list(stock.CAUSES)
    return sorted(made, key=lambda row: (row.product, row.product_id, order.index(row.cause)))


async def stock_movements_report(
    session: AsyncSession, *, date_from: date, date_to: date
) -> StockMovementsReport:
    """The stock ledger over the range, per product and cause."""
    span = period(date_from, date_to)
    found = await stock.movement_totals(session, span.start, span.end)
    refs = await catalog.product_refs(session, {total.product_id for total in found})
    made = _stock_rows(found, {product_id: ref.name for product_id, ref in refs.items()})
    return StockMovementsReport(span.first, span.last, made, sum(r.value_cents for r in made))


@dataclass(frozen=True, slots=True)
class CashDifferenceRow:
    session_id: UUID
    register_id: UUID
    till: str
    opened_at: datetime
    closed_at: datetime
    expected_cents: int
    counted_cents: int
    difference_cents: int  # counted - expected
    closed_by_user_id: UUID | None
    closed_by: str | None


@dataclass(frozen=True, slots=True)
class CashDifferencesReport:
    date_from: date
    date_to: date
    rows: list[CashDifferenceRow]
    difference_cents: int


async def cash_differences(
    session: AsyncSession, *, date_from: date, date_to: date
) -> CashDifferencesReport:
    """Every till session closed in the range, with the cash it expected and counted."""
    span = period(date_from, date_to)
    closed = await sales.closed_sessions(session, span.start, span.end)
    closers = {c.closed_by_user_id for c in closed if c.closed_by_user_id is not None}
    names = await auth.staff_names(session, closers)
    made = [
        CashDifferenceRow(
            session_id=c.session_id,
            register_id=c.register_id,
            till=c.till,
            opened_at=c.opened_at,
            closed_at=c.closed_at,
            expected_cents=c.expected_cents,
            counted_cents=c.counted_cents,
            difference_cents=c.difference_cents,
            closed_by_user_id=c.closed_by_user_id,
            closed_by=names.get(c.closed_by_user_id) if c.closed_by_user_id else None,
        )
        for c in closed
    ]
    total = sum(row.difference_cents for row in made)
    return CashDifferencesReport(span.first, span.last, made, total)
