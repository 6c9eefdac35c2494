"""Errors of the availability domain."""

from __future__ import annotations

from app.core.errors import AppError


class DateRangeInvalid(AppError):
    status, code, title = 422, "invalid_date_range", "The date range is not valid"


class ServicesNotBookable(AppError):
    status, code, title = 422, "services_not_bookable", "These services cannot be booked"


class NoSuchPractitionerForServices(AppError):
    status, code, title = (
        422,
        "practitioner_does_not_perform",
        "This practitioner does not perform these services",
    )


class HomeVisitNotPossible(AppError):
    status, code, title = 422, "home_visit_not_possible", "A home visit is not possible here"


class ClosureNotFound(AppError):
    status, code, title = 404, "closure_not_found", "This closure does not exist"


class SpecialOpeningNotFound(AppError):
    status, code, title = (
        404,
        "special_opening_not_found",
        "This exceptional opening does not exist",
    )


class BlockNotFound(AppError):
    status, code, title = 404, "block_not_found", "This block does not exist"


class BlockPractitionerNotFound(AppError):
    status, code, title = 404, "block_practitioner_not_found", "This practitioner does not exist"
