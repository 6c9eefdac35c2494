"""Periodic work of the bookings domain."""

from __future__ import annotations

from app.bookings import repository, service, waitlist
from app.core import jobs
from app.core.clock import utcnow
from app.core.db import unit_of_work


@jobs.task("bookings.expire_holds")
async def expire_holds() -> int:
    """Free the slots of holds whose deposit was not paid in time; returns how many."""
    expired = 0
    while True:
        async with unit_of_work() as session:
            batch = await repository.expired_holds(session, utcnow())
            for hold in batch:
                await service.expire_hold(session, hold, now=utcnow())
                await waitlist.offer_freed_slot(session, hold)
            expired += len(batch)
        if len(batch) < 100:
            return expired


BEAT = [jobs.beat("expire-holds", expire_holds, every=60.0)]
