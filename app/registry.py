"""Imports every module that registers something at import time: ORM models (for Alembic and
the mappers), outbox handlers, Celery tasks and each domain's client data. Add a domain here
when it is created."""

from __future__ import annotations

import importlib

MODULES = (
    "app.core.idempotency",
    "app.core.outbox",
    "app.auth.models",
    "app.catalog.models",
    "app.practitioners.models",
    "app.availability.models",
    "app.clients.models",
    "app.bookings.models",
    "app.bookings.feeds",
    "app.payments.models",
    "app.payments.refunds",
    "app.notifications.models",
    "app.notifications.handlers",
    "app.giftcards.models",
    "app.giftcards.delivery",
    "app.giftcards.refunds",
    "app.coupons.models",
    "app.coupons.handlers",
    # Each domain's client data, for merge, GDPR export and erasure (app/clients/client_data.py).
    "app.clients.own_data",
    "app.bookings.client_data",
    "app.payments.client_data",
    "app.giftcards.client_data",
    "app.coupons.client_data",
    "app.notifications.client_data",
)


def load_all() -> None:
    for module in MODULES:
        importlib.import_module(module)
