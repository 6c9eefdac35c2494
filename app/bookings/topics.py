"""Outbox topics the bookings domain publishes (followed by payments and notifications).

Payloads: `booking_id` always; `bookings.cancelled` adds client_id, cancelled_by (staff,
client, link), by_client, late, previous_status; `bookings.rescheduled` adds old_start;
`bookings.hold_expired` adds client_id;
`bookings.waitlist_offered` carries entry_id, client_id and start instead.
"""

from __future__ import annotations

TOPIC_CONFIRMED = "bookings.confirmed"
TOPIC_RESCHEDULED = "bookings.rescheduled"
TOPIC_CANCELLED = "bookings.cancelled"
# A hold whose deposit never came: not a cancellation (nothing was paid, nobody is told).
TOPIC_HOLD_EXPIRED = "bookings.hold_expired"
TOPIC_WAITLIST_OFFERED = "bookings.waitlist_offered"
