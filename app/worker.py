"""The Celery application and its beat schedule.

With REDIS_URL set, tasks go through Redis to `make worker`; without it they run eagerly in
the calling process (the embedded default), so nothing needs a broker on a laptop.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery.schedules import crontab

from app import registry
from app.auth.tasks import purge_expired_tokens
from app.bookings.tasks import expire_holds
from app.clients.tasks import flag_inactive_clients
from app.core import async_bridge, idempotency, outbox
from app.core.config import get_settings
from app.giftcards.delivery import expire_cards, remind_expiring
from app.notifications.tasks import deliver_due, scan_reminders, sync_sms_stops
from app.payments.tasks import poll_open_checkouts


def create_celery() -> Celery:
    settings = get_settings()
    broker = settings.redis.url
    celery = Celery("salon", broker=broker or "memory://", backend=None)
    celery.conf.update(
        task_always_eager=broker is None,
        task_eager_propagates=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        timezone=settings.salon.timezone,
        enable_utc=True,
        broker_connection_retry_on_startup=True,
        beat_schedule={
            "dispatch-outbox": {"task": "core.dispatch_outbox", "schedule": 15.0},
            "deliver-messages": {"task": "notifications.deliver", "schedule": 15.0},
            "scan-reminders": {"task": "notifications.scan_reminders", "schedule": 60.0},
            "gift-cards-expire": {
                "task": "giftcards.expire",
                "schedule": crontab(hour=0, minute=20),
            },
            "gift-cards-remind": {
                "task": "giftcards.remind_expiring",
                "schedule": crontab(hour=10, minute=0),
            },
            "sync-sms-stops": {
                "task": "notifications.sync_sms_stops",
                "schedule": crontab(minute=5),
            },
            "expire-holds": {"task": "bookings.expire_holds", "schedule": 60.0},
            "poll-terminal": {"task": "payments.poll_terminal", "schedule": 60.0},
            "purge-expired": {"task": "core.purge_expired", "schedule": crontab(minute=17)},
            "retention-review": {
                "task": "clients.flag_inactive",
                "schedule": crontab(hour=3, minute=40),
            },
        },
    )
    return celery


registry.load_all()
celery_app = create_celery()


@celery_app.task(name="core.dispatch_outbox")
def dispatch_outbox() -> int:
    """Handle due outbox events (also swept every minute by beat)."""
    return async_bridge.run(outbox.dispatch_due())


@celery_app.task(name="core.purge_expired")
def purge_expired() -> dict[str, Any]:
    """Delete expired idempotency answers and tokens."""
    return {
        "idempotency_keys": async_bridge.run(idempotency.purge_expired()),
        "tokens": async_bridge.run(purge_expired_tokens()),
    }


@celery_app.task(name="bookings.expire_holds")
def expire_booking_holds() -> int:
    """Free the slots of unpaid holds past their expiry."""
    return async_bridge.run(expire_holds())


@celery_app.task(name="clients.flag_inactive")
def flag_inactive() -> int:
    """Flag clients with no activity for three years, for review or anonymisation."""
    return async_bridge.run(flag_inactive_clients())


@celery_app.task(name="payments.poll_terminal")
def poll_terminal() -> int:
    """Ask SumUp about reader checkouts whose result callback has not arrived."""
    return async_bridge.run(poll_open_checkouts())


@celery_app.task(name="notifications.deliver")
def deliver_messages() -> int:
    """Send the SMS and e-mails that are due (retries included)."""
    return async_bridge.run(deliver_due())


@celery_app.task(name="notifications.scan_reminders")
def write_due_reminders() -> int:
    """Write the reminders of bookings coming within NOTIFICATIONS_REMINDER_HOURS."""
    return async_bridge.run(scan_reminders())


@celery_app.task(name="notifications.sync_sms_stops")
def sync_stops() -> int:
    """Withdraw the marketing-SMS consent of numbers that answered STOP (OVH's list)."""
    return async_bridge.run(sync_sms_stops())


@celery_app.task(name="giftcards.expire")
def expire_gift_cards() -> int:
    """End the cards past their validity: what was left leaves the liability."""
    return async_bridge.run(expire_cards())


@celery_app.task(name="giftcards.remind_expiring")
def remind_expiring_gift_cards() -> int:
    """E-mail holders of cards that expire soon and still hold money."""
    return async_bridge.run(remind_expiring())
