from __future__ import annotations

from app.core.errors import AppError


class PractitionerNotFound(AppError):
    status, code, title = 404, "practitioner_not_found", "This practitioner does not exist"


class ResourceNotFound(AppError):
    status, code, title = 404, "resource_not_found", "This resource does not exist"


class ResourceNameTaken(AppError):
    status, code, title = 409, "resource_name_taken", "A resource already has this name"


class UserAlreadyLinked(AppError):
    status, code, title = 409, "user_already_linked", "This account is already a practitioner's"


class UnknownStaffUser(AppError):
    status, code, title = 422, "unknown_staff_user", "No active staff account has this id"


class UnknownPractitionerService(AppError):
    status, code, title = 422, "unknown_practitioner_service", "A service given does not exist"


class AbsenceNotFound(AppError):
    status, code, title = 404, "absence_not_found", "This absence does not exist"
