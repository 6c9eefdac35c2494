from __future__ import annotations

from app.core.errors import AppError


class ReportRangeReversed(AppError):
    status, code, title = 422, "report_range_reversed", "date_from is after date_to"


class ReportRangeTooLong(AppError):
    status, code, title = 422, "report_range_too_long", "A report covers at most 366 days"
