"""Outbox topics the practitioners domain publishes."""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime

from app.core.outbox import Payload, Topic


class PractitionerDeactivated(Payload):
    practitioner_id: UUID
    at: AwareDatetime


# Followed by bookings: her calendar feed is revoked.
TOPIC_DEACTIVATED = Topic("practitioners.deactivated", PractitionerDeactivated)
