from __future__ import annotations

from app.core.errors import AppError


class SlotUnavailable(AppError):
    status, code, title = 409, "slot_unavailable", "This slot is no longer available"


class BookingNotFound(AppError):
    status, code, title = 404, "booking_not_found", "This booking does not exist"


class TransitionNotAllowed(AppError):
    status, code, title = 409, "status_transition_not_allowed", "This status change is not allowed"


class TooLateToChange(AppError):
    status, code, title = 409, "too_late_to_change", "It is too late to change this booking online"


class BookingNotChangeable(AppError):
    status, code, title = 409, "booking_not_changeable", "This booking can no longer be changed"


class PrerequisiteMissing(AppError):
    status, code, title = 409, "prerequisite_missing", "A required earlier service is missing"


class InvalidManageLink(AppError):
    status, code, title = 403, "invalid_manage_link", "This link is invalid or has expired"


class ClientRequired(AppError):
    status, code, title = 422, "client_required", "Say who the booking is for"


class InvalidCalendarFeed(AppError):
    status, code, title = 403, "invalid_calendar_feed", "This calendar link is not valid"


class CalendarFeedRevoked(AppError):
    status, code, title = 403, "calendar_feed_revoked", "This calendar link has been revoked"


class TooEarlyForStatus(AppError):
    status, code, title = 409, "too_early_for_status", "It is too early to record this"


class BookingsInConflict(AppError):
    status, code, title = 409, "bookings_in_conflict", "Live bookings stand in the way"
