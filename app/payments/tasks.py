"""Periodic work of the payments domain."""

from __future__ import annotations

from datetime import timedelta

from celery.schedules import crontab

from app.core import jobs
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.db import unit_of_work
from app.core.timeutils import zone
from app.payments import payouts, terminal
from app.payments.models import PayoutProvider


@jobs.task("payments.poll_terminal")
async def poll_terminal() -> int:
    """Ask SumUp about reader checkouts whose result callback has not arrived."""
    return await terminal.poll_open_checkouts()


@jobs.task("payments.sync_payouts")
async def sync_payouts() -> int:
    """Read SumUp's payouts of the last PAYMENTS_PAYOUT_SYNC_DAYS days and record each new
    one once (SumUp sends no payout webhook)."""
    today = utcnow().astimezone(zone()).date()
    start = today - timedelta(days=get_settings().payments.payout_sync_days)
    async with unit_of_work() as session:
        synced = await payouts.sync(session, PayoutProvider.sumup, start=start, end=today)
    return synced.recorded


BEAT = [
    jobs.beat("poll-terminal", poll_terminal, every=60.0),
    jobs.beat("sync-payouts", sync_payouts, cron=crontab(hour=7, minute=5)),
]
