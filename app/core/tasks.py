"""The kernel's periodic work: the outbox sweep and the purge of what expired."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from app.core import idempotency, jobs, outbox

jobs.purges("idempotency_keys")(idempotency.purge_expired)


@jobs.task("core.dispatch_outbox")
async def dispatch_outbox() -> int:
    """Handle due outbox events (also swept every minute by beat)."""
    return await outbox.dispatch_due()


@jobs.task("core.purge_expired")
async def purge_expired() -> dict[str, Any]:
    """Delete expired idempotency answers and tokens."""
    return dict(await jobs.purge_all())


BEAT = [
    jobs.beat("dispatch-outbox", dispatch_outbox, every=15.0),
    jobs.beat("purge-expired", purge_expired, cron=crontab(minute=17)),
]
