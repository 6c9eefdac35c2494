from __future__ import annotations

from app.core.errors import AppError


class PeriodAlreadyClosed(AppError):
    status, code, title = 409, "journal_period_closed", "This period is already closed"


class PayloadDoesNotFit(AppError):
    status, code, title = 422, "journal_payload_mismatch", "The payload does not fit its kind"


class PurgeRefused(AppError):
    status, code, title = 409, "journal_purge_refused", "The journal cannot be purged yet"
