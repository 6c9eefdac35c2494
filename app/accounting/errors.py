from __future__ import annotations

from app.core.errors import AppError


class AccountNotFound(AppError):
    status, code, title = 404, "account_not_found", "This account role does not exist"


class PeriodNotFound(AppError):
    status, code, title = (
        404,
        "accounting_period_not_found",
        "This accounting period does not exist",
    )


class BooksNotUpToDate(AppError):
    status, code, title = 409, "books_not_up_to_date", "Events are still to be booked"


class PeriodLocked(AppError):
    status, code, title = 409, "accounting_period_locked", "This accounting period is locked"


class UnbalancedEntry(AppError):
    status, code, title = (
        500,
        "accounting_entry_unbalanced",
        "The entry's debits and credits differ",
    )


class FiscalYearEmpty(AppError):
    status, code, title = (
        404,
        "accounting_fiscal_year_empty",
        "This fiscal year has no entries",
    )
