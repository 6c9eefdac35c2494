"""What PayPal's webhook resources say. Their signature is checked by asking PayPal
(`PayPalProvider.verify_webhook` in client.py: the verify-webhook-signature call)."""

from __future__ import annotations

from app.integrations.paypal.client import capture_fee, capture_status, order_state, refund_state

__all__ = ["capture_fee", "capture_status", "order_state", "refund_state"]
