"""The till's reports over HTTP, for managers and owners. Not paginated: each report is
bounded by its range of local dates (at most 366 days), see app/reports/service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.public import Manager
from app.core.db import ReadSession
from app.core.errors import error_responses
from app.core.timeutils import SalonDate
from app.reports import service
from app.reports.errors import ReportRangeReversed, ReportRangeTooLong
from app.reports.schemas import (
    BestSellersOut,
    CashDifferencesOut,
    GroupByName,
    ItemKindName,
    SalesReportOut,
    StockMovementsReportOut,
)

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
RANGE_ERRORS = error_responses(ReportRangeReversed, ReportRangeTooLong)
DateFrom = Annotated[SalonDate, Query(description="First local date of the report")]
DateTo = Annotated[SalonDate, Query(description="Last local date of the report, included")]


@router.get("/sales", responses=RANGE_ERRORS)
async def sales_report(
    _: Manager,
    session: ReadSession,
    date_from: DateFrom,
    date_to: DateTo,
    group_by: GroupByName = "day",
) -> SalesReportOut:
    """The journal's sales (tickets, credit tickets and cancellations, net) in rows of
    `group_by`, and their total; training tickets never count."""
    report = await service.sales_report(
        session, date_from=date_from, date_to=date_to, group_by=group_by
    )
    return SalesReportOut.model_validate(report)


@router.get("/best-sellers", responses=RANGE_ERRORS)
async def best_sellers(
    _: Manager,
    session: ReadSession,
    date_from: DateFrom,
    date_to: DateTo,
    kind: ItemKindName = "service",
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> BestSellersOut:
    """The services or products sold most, by net quantity then net revenue."""
    report = await service.best_sellers(
        session, date_from=date_from, date_to=date_to, kind=kind, limit=limit
    )
    return BestSellersOut.model_validate(report)


@router.get("/stock-movements", responses=RANGE_ERRORS)
async def stock_movements(
    _: Manager, session: ReadSession, date_from: DateFrom, date_to: DateTo
) -> StockMovementsReportOut:
    """The stock ledger per product and cause: quantities (stock units) and value at cost."""
    report = await service.stock_movements_report(session, date_from=date_from, date_to=date_to)
    return StockMovementsReportOut.model_validate(report)


@router.get("/cash-differences", responses=RANGE_ERRORS)
async def cash_differences(
    _: Manager, session: ReadSession, date_from: DateFrom, date_to: DateTo
) -> CashDifferencesOut:
    """Each till session closed in the range: expected, counted, difference, who closed."""
    report = await service.cash_differences(session, date_from=date_from, date_to=date_to)
    return CashDifferencesOut.model_validate(report)
