"""Notifications: what the client receives (SMS, e-mail) and when, written to an outbox in
the transaction that causes it and delivered exactly once by the worker."""
