"""Periodic work of the subscriptions domain."""

from __future__ import annotations

from app.core import jobs
from app.subscriptions import dunning


@jobs.task("subscriptions.dunning_scan")
async def dunning_scan() -> int:
    """Take the dunning steps due (retries, reminders, suspensions, cancellations)."""
    return await dunning.scan()


BEAT = [jobs.beat("dunning-scan", dunning_scan, every=900.0)]
