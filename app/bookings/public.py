"""What other domains may use from bookings."""

from app.bookings.access import BookingCheckout, BookingPayer, ensure_may_pay
from app.bookings.briefs import BookingBrief, ReminderDue, booking_brief, lock_reminders_due
from app.bookings.client_view import (
    ClientBookings,
    anonymize_client_bookings,
    client_history,
    clients_matching,
    clients_of_practitioner,
    export_client_bookings,
    has_completed_visit,
    last_booking_at,
    practitioner_serves,
    reassign_client,
)
from app.bookings.errors import BookingNotFound
from app.bookings.payable import (
    DepositOutcome,
    DiscountNotAllowed,
    PayableBooking,
    apply_discount,
    booking_from_manage_token,
    confirm_deposit,
    payable_booking,
)
from app.bookings.repository import busy_statements
from app.bookings.topics import (
    TOPIC_CANCELLED,
    TOPIC_CONFIRMED,
    TOPIC_HOLD_EXPIRED,
    TOPIC_RESCHEDULED,
    TOPIC_WAITLIST_OFFERED,
)

__all__ = [
    "TOPIC_CANCELLED",
    "TOPIC_CONFIRMED",
    "TOPIC_HOLD_EXPIRED",
    "TOPIC_RESCHEDULED",
    "TOPIC_WAITLIST_OFFERED",
    "BookingBrief",
    "BookingCheckout",
    "BookingNotFound",
    "BookingPayer",
    "ClientBookings",
    "DepositOutcome",
    "DiscountNotAllowed",
    "PayableBooking",
    "ReminderDue",
    "anonymize_client_bookings",
    "apply_discount",
    "booking_brief",
    "booking_from_manage_token",
    "busy_statements",
    "client_history",
    "clients_matching",
    "clients_of_practitioner",
    "confirm_deposit",
    "ensure_may_pay",
    "export_client_bookings",
    "has_completed_visit",
    "last_booking_at",
    "lock_reminders_due",
    "payable_booking",
    "practitioner_serves",
    "reassign_client",
]
