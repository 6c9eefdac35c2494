"""Periodic work of invoicing: the reminder of invoices sold on account gone overdue."""

from __future__ import annotations

from celery.schedules import crontab

from app.core import jobs
from app.core.db import unit_of_work
from app.invoicing import flows


@jobs.task("invoicing.remind_overdue")
async def remind_overdue_invoices() -> int:
    """E-mail each business client once about an invoice past its due date still owed."""
    async with unit_of_work() as session:
        return await flows.remind_overdue(session)


BEAT = [
    jobs.beat("invoices-remind-overdue", remind_overdue_invoices, cron=crontab(hour=9, minute=30))
]
