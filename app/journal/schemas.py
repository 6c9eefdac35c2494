"""The journal's answers on the API: the verification report and the X reading."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict
from pydantic.config import JsonDict

from app.core.timeutils import SalonDateTime
from app.journal.checks import ClosingCheck, Issue
from app.journal.payloads import Chain, PeriodTotals

_RECORD: JsonDict = {
    "id": "0193a4f2-7c1e-7c3a-9a1b-2f4e5d6c7b8a",
    "sequence": 1,
    "kind": "ticket",
    "recorded_at": "2026-12-01T10:12:00+01:00",
}


class RecordSummaryOut(BaseModel):
    id: UUID
    sequence: int
    kind: str
    recorded_at: SalonDateTime


class ChainReportOut(BaseModel):
    chain: Chain
    records: int
    first: RecordSummaryOut | None
    last: RecordSummaryOut | None
    head_sequence: int | None


class VerificationOut(BaseModel):
    ok: bool
    checked_at: SalonDateTime
    records_checked: int
    chains: list[ChainReportOut]
    issues: list[Issue]
    closings: list[ClosingCheck]

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "ok": False,
                "checked_at": "2026-12-01T19:00:00+01:00",
                "records_checked": 1204,
                "chains": [
                    {
                        "chain": "sales",
                        "records": 1180,
                        "first": _RECORD,
                        "last": _RECORD | {"sequence": 1180, "kind": "closing_day"},
                        "head_sequence": 1182,
                    }
                ],
                "issues": [
                    {
                        "chain": "sales",
                        "sequence": None,
                        "record_id": None,
                        "problem": "head_mismatch",
                        "detail": "the head says 1182, the chain ends at 1180",
                    }
                ],
                "closings": [],
            }
        }
    )


class XReportOut(BaseModel):
    first_sequence: int
    last_sequence: int
    totals: PeriodTotals
    perpetual_total_cents: int
    at: SalonDateTime

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "first_sequence": 1181,
                "last_sequence": 1190,
                "totals": {
                    "ticket_count": 8,
                    "by_vat": [{"rate": "20.00", "base_cents": 40000, "vat_cents": 8000}],
                    "by_tender": [{"method": "card", "amount_cents": 48000}],
                    "total_excl_vat_cents": 40000,
                    "total_vat_cents": 8000,
                    "total_incl_vat_cents": 48000,
                },
                "perpetual_total_cents": 1250000,
                "at": "2026-12-01T16:00:00+01:00",
            }
        }
    )
