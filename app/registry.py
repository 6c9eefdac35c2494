"""Imports every module that registers something at import time: ORM models (for Alembic and
the mappers), outbox handlers and Celery tasks. Add a domain here when it is created."""

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
    "app.payments.models",
    "app.payments.refunds",
    "app.notifications.models",
    "app.notifications.handlers",
    "app.giftcards.models",
    "app.giftcards.delivery",
    "app.giftcards.refunds",
    "app.coupons.models",
    "app.coupons.handlers",
)


def load_all() -> None:
    for module in MODULES:
        importlib.import_module(module)
