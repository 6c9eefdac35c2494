"""What other domains may use from bookings."""

from app.bookings.client_view import (
    ClientBookings,
    anonymize_client_bookings,
    client_history,
    clients_matching,
    export_client_bookings,
    last_booking_at,
    reassign_client,
)
from app.bookings.repository import busy_statements

__all__ = [
    "ClientBookings",
    "anonymize_client_bookings",
    "busy_statements",
    "client_history",
    "clients_matching",
    "export_client_bookings",
    "last_booking_at",
    "reassign_client",
]
