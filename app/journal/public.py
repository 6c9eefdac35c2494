"""What other domains use of the journal: append a record (never sign one), read records
back (as stored, as signed), close, read an X, verify, and write a technical event. See
docs/till.md."""

from __future__ import annotations

from app.journal.archive import ArchiveCheck, ArchiveWritten, verify_archive, write_archive
from app.journal.chain import RecordRef, record_event
from app.journal.checks import ClosingCheck, Issue, Problem, RecordSummary
from app.journal.closings import XReport, close, close_due, x_report
from app.journal.errors import PayloadDoesNotFit, PeriodAlreadyClosed, PurgeRefused
from app.journal.payloads import (
    TENDER_LABELS,
    CashMovementPayload,
    Chain,
    ClosingLevel,
    ClosingPayload,
    CorrectedTicket,
    DenominationCount,
    DuplicatePayload,
    EventKind,
    Payload,
    PeriodTotals,
    RecordKind,
    RegisterClosedPayload,
    RegisterOpenedPayload,
    TenderAmount,
    TenderMethod,
    TicketLine,
    TicketPayload,
    VatAmount,
)
from app.journal.purge import PurgeDone, purge_year
from app.journal.reads import (
    StoredRecord,
    closings_page,
    duplicate_count,
    get_record,
    register_records,
    sale_records,
)
from app.journal.service import append, close_day, record_startup, startup
from app.journal.verify import ChainReport, VerificationReport, verify

__all__ = [
    "TENDER_LABELS",
    "ArchiveCheck",
    "ArchiveWritten",
    "CashMovementPayload",
    "Chain",
    "ChainReport",
    "ClosingCheck",
    "ClosingLevel",
    "ClosingPayload",
    "CorrectedTicket",
    "DenominationCount",
    "DuplicatePayload",
    "EventKind",
    "Issue",
    "Payload",
    "PayloadDoesNotFit",
    "PeriodAlreadyClosed",
    "PeriodTotals",
    "Problem",
    "PurgeDone",
    "PurgeRefused",
    "RecordKind",
    "RecordRef",
    "RecordSummary",
    "RegisterClosedPayload",
    "RegisterOpenedPayload",
    "StoredRecord",
    "TenderAmount",
    "TenderMethod",
    "TicketLine",
    "TicketPayload",
    "VatAmount",
    "VerificationReport",
    "XReport",
    "append",
    "close",
    "close_day",
    "close_due",
    "closings_page",
    "duplicate_count",
    "get_record",
    "purge_year",
    "record_event",
    "record_startup",
    "register_records",
    "sale_records",
    "startup",
    "verify",
    "verify_archive",
    "write_archive",
    "x_report",
]
