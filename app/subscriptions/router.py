"""HTTP routes of the subscriptions domain."""

from __future__ import annotations
