"""Periodic work of the loyalty programme: expiry, the reminder before it, tiers."""

from __future__ import annotations

from celery.schedules import crontab

from app.core import jobs
from app.loyalty import expiry, flows, tiers


@jobs.task("loyalty.expire_points")
async def expire_points() -> int:
    """Write off the points past their expiry."""
    return await expiry.expire_due()


@jobs.task("loyalty.remind_expiring")
async def remind_expiring_points() -> int:
    """Tell members whose points expire within 30 days, once per expiry date."""
    return await expiry.remind_expiring()


@jobs.task("loyalty.apply_tiers")
async def apply_tiers() -> int:
    """Every member's tier from her spend or visits over the rolling period."""
    return await tiers.apply_tiers()


@jobs.task("loyalty.grant_birthdays")
async def grant_birthdays() -> int:
    """The birthday rule's points, on the client's birthday, once a year."""
    return await flows.grant_birthdays()


BEAT = [
    jobs.beat("loyalty-expire-points", expire_points, cron=crontab(hour=0, minute=40)),
    jobs.beat("loyalty-remind-expiring", remind_expiring_points, cron=crontab(hour=10, minute=10)),
    jobs.beat("loyalty-apply-tiers", apply_tiers, cron=crontab(hour=1, minute=10)),
    jobs.beat("loyalty-grant-birthdays", grant_birthdays, cron=crontab(hour=7, minute=30)),
]
