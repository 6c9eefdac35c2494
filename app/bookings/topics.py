"""Outbox topics the bookings domain publishes. Payload of `bookings.cancelled`: booking_id,
client_id, cancelled_by (staff, client, link), by_client, late, previous_status."""

from __future__ import annotations

# Followed by payments (deposit refunds) and notifications.
TOPIC_CANCELLED = "bookings.cancelled"
