"""Periodic work of the gift-cards domain."""

from __future__ import annotations

from celery.schedules import crontab

from app.core import jobs
from app.giftcards import delivery


@jobs.task("giftcards.expire")
async def expire_gift_cards() -> int:
    """End the cards past their validity: what was left leaves the liability."""
    return await delivery.expire_cards()


@jobs.task("giftcards.remind_expiring")
async def remind_expiring_gift_cards() -> int:
    """E-mail holders of cards that expire soon and still hold money."""
    return await delivery.remind_expiring()


BEAT = [
    jobs.beat("gift-cards-expire", expire_gift_cards, cron=crontab(hour=0, minute=20)),
    jobs.beat("gift-cards-remind", remind_expiring_gift_cards, cron=crontab(hour=10, minute=0)),
]
