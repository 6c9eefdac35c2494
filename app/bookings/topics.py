"""Outbox topics the bookings domain publishes (followed by payments, coupons and
notifications), each with the model of its payload."""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime

from app.core.outbox import Payload, Topic


class BookingConfirmed(Payload):
    booking_id: UUID
    deposit_paid: bool = False


class BookingRescheduled(Payload):
    booking_id: UUID
    old_start: AwareDatetime


class BookingCancelled(Payload):
    booking_id: UUID
    client_id: UUID
    cancelled_by: str  # staff, client, link
    by_client: bool
    late: bool
    previous_status: str


class HoldExpired(Payload):
    booking_id: UUID
    client_id: UUID


class WaitlistOffered(Payload):
    entry_id: UUID
    client_id: UUID
    start: AwareDatetime
    service_ids: list[UUID]


TOPIC_CONFIRMED = Topic("bookings.confirmed", BookingConfirmed)
TOPIC_RESCHEDULED = Topic("bookings.rescheduled", BookingRescheduled)
TOPIC_CANCELLED = Topic("bookings.cancelled", BookingCancelled)
# A hold whose deposit never came: not a cancellation (nothing was paid, nobody is told).
TOPIC_HOLD_EXPIRED = Topic("bookings.hold_expired", HoldExpired)
TOPIC_WAITLIST_OFFERED = Topic("bookings.waitlist_offered", WaitlistOffered)
