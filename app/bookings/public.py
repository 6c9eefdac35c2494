"""What other domains may use from bookings."""

from app.bookings.repository import busy_statements

__all__ = ["busy_statements"]
