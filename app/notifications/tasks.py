"""Periodic work of the notifications domain."""

from __future__ import annotations

import logging

from celery.schedules import crontab

from app.clients import public as clients
from app.core import jobs
from app.core.db import unit_of_work
from app.notifications import delivery, reminders
from app.notifications.channels import DeliveryError, OvhSmsSender, sender_for

logger = logging.getLogger(__name__)


@jobs.task("notifications.deliver")
async def deliver_messages() -> int:
    """Send the SMS and e-mails that are due (retries included)."""
    return await delivery.deliver_due()


@jobs.task("notifications.scan_reminders")
async def write_due_reminders() -> int:
    """Write the reminders of bookings coming within NOTIFICATIONS_REMINDER_HOURS."""
    return await reminders.scan()


@jobs.task("notifications.sync_sms_stops")
async def sync_sms_stops() -> int:
    """Withdraw the marketing-SMS consent of clients whose number answered STOP; returns how
    many consents were withdrawn."""
    sender = sender_for("sms")
    if not isinstance(sender, OvhSmsSender):
        return 0
    try:
        numbers = await sender.stop_list()
    except DeliveryError as exc:
        logger.warning("could not read OVH's STOP list", extra={"error": str(exc)})
        return 0
    withdrawn = 0
    async with unit_of_work() as session:
        for number in numbers:
            for client_id in await clients.clients_with_phone(session, number):
                if (await clients.current_consents(session, client_id)).get("sms_marketing"):
                    await clients.withdraw_consent(
                        session, client_id, "sms_marketing", source="sms_stop"
                    )
                    withdrawn += 1
    return withdrawn


BEAT = [
    jobs.beat("deliver-messages", deliver_messages, every=15.0),
    jobs.beat("scan-reminders", write_due_reminders, every=60.0),
    jobs.beat("sync-sms-stops", sync_sms_stops, cron=crontab(minute=5)),
]
