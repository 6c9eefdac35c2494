"""Periodic work of the notifications domain."""

from __future__ import annotations

import logging

from app.clients import public as clients
from app.core.db import unit_of_work
from app.notifications.channels import DeliveryError, OvhSmsSender, sender_for
from app.notifications.delivery import deliver_due
from app.notifications.reminders import scan as scan_reminders

logger = logging.getLogger(__name__)

__all__ = ["deliver_due", "scan_reminders", "sync_sms_stops"]


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
