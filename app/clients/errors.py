from __future__ import annotations

from app.core.errors import AppError


class ClientNotFound(AppError):
    status, code, title = 404, "client_not_found", "This client does not exist"


class InvalidPhone(AppError):
    status, code, title = 422, "invalid_phone", "This phone number is not valid"


class ErasureNotConfirmed(AppError):
    status, code, title = 422, "erasure_not_confirmed", "Confirm the erasure with confirm: true"


class ClientAlreadyErased(AppError):
    status, code, title = 409, "client_erased", "This client's data has been erased"


class EmailAlreadyUsed(AppError):
    status, code, title = 409, "client_email_taken", "Another client has this e-mail"


class MergeSameClient(AppError):
    status, code, title = 422, "merge_same_client", "A client cannot be merged into herself"


class ImportRejected(AppError):
    status, code, title = 422, "import_rejected", "Some rows are not valid: nothing was imported"


class ImportUnreadable(AppError):
    status, code, title = 422, "import_unreadable", "The file cannot be read as CSV text"


class ImportColumnsUnknown(AppError):
    status, code, title = 422, "import_unknown_columns", "The file's header names unknown columns"


class NoClientRecord(AppError):
    status, code, title = 404, "no_client_record", "This account has no client record yet"
