from __future__ import annotations

from fastapi import APIRouter

from app.auth.public import DbSession, Manager
from app.journal import closings, verify
from app.journal.schemas import VerificationOut, XReportOut

router = APIRouter(prefix="/api/v1/sales/journal", tags=["sales journal"])


@router.get("/verify", response_model=VerificationOut, summary="Verify the sales journal")
async def verify_journal(session: DbSession, manager: Manager) -> VerificationOut:
    """Check every record's signature and link, each chain's head, and every closing's totals
    against its records; every problem is listed (and journaled as a technical event)."""
    report = await verify.verify(session)
    return VerificationOut.model_validate(report.model_dump())


@router.get("/x", response_model=XReportOut, summary="X reading: the totals since the last Z")
async def x_reading(session: DbSession, manager: Manager) -> XReportOut:
    """What a Z closing would add up now; not stored."""
    report = await closings.x_report(session)
    return XReportOut.model_validate(report.model_dump())
