"""Periodic work of the journal."""

from __future__ import annotations

from celery.schedules import crontab

from app.core import jobs
from app.core.db import unit_of_work
from app.journal import closings


@jobs.task("journal.close_due")
async def close_due_periods() -> int:
    """Close the days left open (from JOURNAL_AUTO_CLOSE_HOUR), then the months and years
    that ended; returns how many closings were made."""
    async with unit_of_work() as session:
        return len(await closings.close_due(session))


BEAT = [jobs.beat("journal-close-due", close_due_periods, cron=crontab(minute=5))]
