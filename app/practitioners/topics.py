"""Outbox topics the practitioners domain publishes.

`practitioners.deactivated` carries practitioner_id and at (followed by bookings: her
calendar feed is revoked).
"""

from __future__ import annotations

TOPIC_DEACTIVATED = "practitioners.deactivated"
