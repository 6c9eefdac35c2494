"""The scheduling builders' import path, kept so existing tests import from here: they live
in tests/factories/ (availability, catalog, practitioners, clients, bookings, core)."""

from __future__ import annotations

from tests.factories.availability import add_closure, add_special_opening, open_salon
from tests.factories.bookings import book_by_staff, facial_with_camille
from tests.factories.catalog import add_prerequisite, make_service
from tests.factories.clients import make_client
from tests.factories.core import PARIS, WEEK, hm, paris
from tests.factories.practitioners import (
    add_absence,
    add_block,
    make_practitioner,
    make_resource,
)

__all__ = [
    "PARIS",
    "WEEK",
    "add_absence",
    "add_block",
    "add_closure",
    "add_prerequisite",
    "add_special_opening",
    "book_by_staff",
    "facial_with_camille",
    "hm",
    "make_client",
    "make_practitioner",
    "make_resource",
    "make_service",
    "open_salon",
    "paris",
]
