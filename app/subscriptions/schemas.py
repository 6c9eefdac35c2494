"""Request and response models of the subscriptions API."""

from __future__ import annotations
