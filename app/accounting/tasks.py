"""Periodic work of the books."""

from __future__ import annotations

from celery.schedules import crontab

from app.accounting import recognition
from app.core import jobs
from app.core.clock import utcnow
from app.core.db import unit_of_work
from app.core.timeutils import zone


@jobs.task("accounting.recognise_memberships")
async def recognise_memberships() -> int:
    """Post the monthly revenue slices of prepaid memberships whose day has passed."""
    async with unit_of_work() as session:
        return await recognition.post_due(session, utcnow().astimezone(zone()).date())


BEAT = [
    jobs.beat("memberships-recognise", recognise_memberships, cron=crontab(hour=0, minute=30)),
]
