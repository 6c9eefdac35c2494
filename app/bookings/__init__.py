"""Bookings and their items, holds, status changes, the cancellation policy, manage links,
calendars, iCalendar feeds and the waitlist."""
