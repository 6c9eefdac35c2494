"""Periodic work of the packages domain."""

from __future__ import annotations

from celery.schedules import crontab

from app.core import jobs
from app.packages import expiry


@jobs.task("packages.expire")
async def expire_packages() -> int:
    """End the packages past their validity: the sessions left are lost."""
    return await expiry.expire_packages()


@jobs.task("packages.remind_expiring")
async def remind_expiring_packages() -> int:
    """Tell clients once that a package with sessions left expires soon."""
    return await expiry.remind_expiring()


BEAT = [
    jobs.beat("packages-expire", expire_packages, cron=crontab(hour=0, minute=25)),
    jobs.beat("packages-remind", remind_expiring_packages, cron=crontab(hour=10, minute=5)),
]
