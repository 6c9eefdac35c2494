"""Outbox topics the bookings domain publishes (followed by payments, coupons,
notifications and stock), each with the model of its payload."""

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


class CompletedService(Payload):
    service_id: UUID
    practitioner_id: UUID


class BookingCompleted(Payload):
    booking_id: UUID
    completed_at: AwareDatetime
    services: list[CompletedService]


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
# The services were done (followed by stock, which consumes their products).
TOPIC_COMPLETED = Topic("bookings.completed", BookingCompleted)
