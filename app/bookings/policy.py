"""The rules of a booking's life: which status may follow which, and the cancellation
policy. Kept in one place so the salon's terms can change here and nowhere else."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.bookings.models import BookingStatus

S = BookingStatus

TRANSITIONS: dict[BookingStatus, frozenset[BookingStatus]] = {
    S.pending_payment: frozenset({S.confirmed, S.cancelled}),
    S.confirmed: frozenset({S.checked_in, S.completed, S.cancelled, S.no_show}),
    S.checked_in: frozenset({S.completed}),
    S.completed: frozenset(),
    S.cancelled: frozenset(),
    S.no_show: frozenset(),
}

# Statuses whose time is still taken in the calendar.
HOLDS_TIME = frozenset({S.pending_payment, S.confirmed, S.checked_in, S.completed})
CHANGEABLE = frozenset({S.pending_payment, S.confirmed})


def may_transition(current: BookingStatus, target: BookingStatus) -> bool:
    return target in TRANSITIONS[current]


def is_late(*, start_at: datetime, now: datetime, notice_hours: int) -> bool:
    """Inside the notice period: a client who cancels now keeps no right to her deposit
    (arrhes), and can no longer move the booking herself."""
    return now > start_at - timedelta(hours=notice_hours)
