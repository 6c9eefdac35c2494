from __future__ import annotations

from app.core.errors import AppError


class ClientNotFound(AppError):
    status, code, title = 404, "client_not_found", "This client does not exist"


class InvalidPhone(AppError):
    status, code, title = 422, "invalid_phone", "This phone number is not valid"
