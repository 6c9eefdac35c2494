"""Periodic work of the clients domain."""

from __future__ import annotations

from celery.schedules import crontab

from app.clients import gdpr
from app.core import jobs
from app.core.db import unit_of_work


@jobs.task("clients.flag_inactive")
async def flag_inactive_clients() -> int:
    """Flag, for review, clients with no activity for three years (CNIL); returns how many."""
    async with unit_of_work() as session:
        return await gdpr.flag_inactive(session)


BEAT = [jobs.beat("retention-review", flag_inactive_clients, cron=crontab(hour=3, minute=40))]
