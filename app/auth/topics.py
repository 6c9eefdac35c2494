"""Outbox topics auth publishes (notifications sends their e-mails)."""

TOPIC_PASSWORD_RESET = "auth.password_reset_requested"  # noqa: S105 - an outbox topic
TOPIC_EMAIL_VERIFICATION = "auth.email_verification_requested"
TOPIC_STAFF_DEACTIVATED = "auth.staff_deactivated"  # bookings revokes her calendar feed
