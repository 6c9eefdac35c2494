"""Use cases of the subscriptions domain (plans, memberships, their Stripe side)."""

from __future__ import annotations
