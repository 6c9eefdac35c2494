from __future__ import annotations

from app.core.errors import AppError


class InvoiceNotFound(AppError):
    status, code, title = 404, "invoice_not_found", "This invoice does not exist"


class InvoiceSourceNotFound(AppError):
    status, code, title = (
        404,
        "invoice_source_not_found",
        "Nothing to invoice: no completed sale has this id",
    )


class InvoiceAlreadyIssued(AppError):
    status, code, title = 409, "invoice_already_issued", "This sale already has its invoice"


class InvoiceNeedsClient(AppError):
    status, code, title = 422, "invoice_needs_client", "An invoice is made out to a client"


class InvoiceClientMismatch(AppError):
    status, code, title = (
        409,
        "invoice_client_mismatch",
        "The sale was made to another client",
    )


class NotAnInvoice(AppError):
    status, code, title = 409, "not_an_invoice", "Only an invoice can be credited"


class NothingLeftToCredit(AppError):
    status, code, title = (
        409,
        "nothing_left_to_credit",
        "These lines are already credited in full",
    )


class UnknownInvoiceLine(AppError):
    status, code, title = 422, "unknown_invoice_line", "This line is not on the invoice"


class NoEmailAddress(AppError):
    status, code, title = 422, "invoice_no_email", "The client has no e-mail address"


class NotOnAccount(AppError):
    status, code, title = (
        409,
        "invoice_not_on_account",
        "This invoice was paid at the desk: nothing is owed on it",
    )


class AmountAboveOutstanding(AppError):
    status, code, title = (
        409,
        "amount_above_outstanding",
        "The amount is more than what is still owed on the invoice",
    )


class CreditAboveOutstanding(AppError):
    status, code, title = (
        409,
        "credit_above_outstanding",
        "A credit note on an invoice sold on account cannot exceed what is still owed",
    )


class InvoicePaymentFinal(AppError):
    status, code, title = (
        409,
        "invoice_payment_final",
        "A payment recorded on an invoice is not refunded: issue a credit note",
    )
