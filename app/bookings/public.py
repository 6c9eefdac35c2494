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
from app.bookings.conflicts import (
    FORCE_DESCRIPTION,
    ConflictOut,
    bookings_in_conflict,
    refuse_unless_forced,
)
from app.bookings.errors import BookingNotFound, BookingsInConflict
from app.bookings.feeds import FeedLink, feed_link, new_feed_link
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
    BookingCancelled,
    BookingConfirmed,
    BookingRescheduled,
    HoldExpired,
    WaitlistOffered,
)

__all__ = [
    "FORCE_DESCRIPTION",
    "TOPIC_CANCELLED",
    "TOPIC_CONFIRMED",
    "TOPIC_HOLD_EXPIRED",
    "TOPIC_RESCHEDULED",
    "TOPIC_WAITLIST_OFFERED",
    "BookingBrief",
    "BookingCancelled",
    "BookingCheckout",
    "BookingConfirmed",
    "BookingNotFound",
    "BookingPayer",
    "BookingRescheduled",
    "BookingsInConflict",
    "ClientBookings",
    "ConflictOut",
    "DepositOutcome",
    "DiscountNotAllowed",
    "FeedLink",
    "HoldExpired",
    "PayableBooking",
    "ReminderDue",
    "WaitlistOffered",
    "anonymize_client_bookings",
    "apply_discount",
    "booking_brief",
    "booking_from_manage_token",
    "bookings_in_conflict",
    "busy_statements",
    "client_history",
    "clients_matching",
    "clients_of_practitioner",
    "confirm_deposit",
    "ensure_may_pay",
    "export_client_bookings",
    "feed_link",
    "has_completed_visit",
    "last_booking_at",
    "lock_reminders_due",
    "new_feed_link",
    "payable_booking",
    "practitioner_serves",
    "reassign_client",
    "refuse_unless_forced",
]
