"""Errors of the slot search (merged into errors.py once the settings API lands)."""

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
