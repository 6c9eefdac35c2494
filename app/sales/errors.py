from __future__ import annotations

from app.core.errors import AppError


class RegisterNotFound(AppError):
    status, code, title = 404, "register_not_found", "This till does not exist"


class RegisterNameTaken(AppError):
    status, code, title = 409, "register_name_taken", "A till already has this name"


class RegisterAlreadyOpen(AppError):
    status, code, title = 409, "register_already_open", "This till is already open"


class RegisterNotOpen(AppError):
    status, code, title = 409, "register_not_open", "This till is not open"


class TicketNotFound(AppError):
    status, code, title = 404, "ticket_not_found", "No ticket in the journal has this id"
