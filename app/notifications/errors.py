from __future__ import annotations

from app.core.errors import AppError


class SmsTooLongError(AppError):
    status, code, title = 422, "sms_too_long", "This text takes more than two SMS"


class NoAddress(AppError):
    status, code, title = 422, "no_address", "The client has no address for this channel"


class InvalidUnsubscribeLink(AppError):
    status, code, title = 400, "invalid_unsubscribe_link", "This unsubscribe link is not valid"
