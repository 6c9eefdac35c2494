"""HTTP routes of the subscriptions domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.public import DbSession, Manager
from app.core.errors import ValidationFailed, error_responses
from app.core.timeutils import SalonDate
from app.subscriptions import dunning_reports
from app.subscriptions.dunning_reports import DunningReportOut

router = APIRouter(prefix="/api/v1/subscriptions", tags=["subscriptions"])


@router.get("/reports/dunning", responses=error_responses(ValidationFailed))
async def dunning_report(
    _: Manager,
    session: DbSession,
    date_from: Annotated[SalonDate, Query(description="First local date of the report")],
    date_to: Annotated[SalonDate, Query(description="Last local date of the report, included")],
) -> DunningReportOut:
    """Revenue the dunning recovered (by retry, new card, other payment) and lost (cancelled
    at J+30 or ended unpaid) over the dates, the cases by outcome, and those still open."""
    return await dunning_reports.dunning_report(session, date_from=date_from, date_to=date_to)
