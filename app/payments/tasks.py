"""Periodic work of the payments domain."""

from __future__ import annotations

from app.payments.terminal import poll_open_checkouts

__all__ = ["poll_open_checkouts"]
