"""The payment tests' shared steps, kept at this import path: they live in
tests/factories/payments.py (and bookings, core) now."""

from __future__ import annotations

from app.payments.models import ProviderEvent
from tests.factories.bookings import CLIENT, ELEVEN, NINE, booking_status, hold, service_of
from tests.factories.core import count, run_outbox
from tests.factories.payments import (
    A_WEEK_BEFORE,
    held_with_checkout,
    pay_deposit,
    payment,
    post_paypal,
    post_stripe,
    salon_with_deposit,
    status_changes,
)

__all__ = [
    "A_WEEK_BEFORE",
    "CLIENT",
    "ELEVEN",
    "NINE",
    "ProviderEvent",
    "booking_status",
    "count",
    "held_with_checkout",
    "hold",
    "pay_deposit",
    "payment",
    "post_paypal",
    "post_stripe",
    "run_outbox",
    "salon_with_deposit",
    "service_of",
    "status_changes",
]
