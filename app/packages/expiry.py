"""The nightly end of packages past their validity, and the reminder before it (once)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.core.clock import utcnow
from app.core.db import unit_of_work
from app.packages import notices, service
from app.packages.models import Package, PackageStatus
from app.packages.settings import package_settings

BATCH = 500


async def expire_packages() -> int:
    """End the active packages past their validity: the sessions left unbooked are lost and
    their share of the price becomes revenue (packages.expired). SKIP LOCKED: two workers
    scanning at once share the rows, and a package being booked is taken next night."""
    now = utcnow()
    ended = 0
    async with unit_of_work() as session:
        found = await session.scalars(
            select(Package)
            .where(Package.status == PackageStatus.active, Package.expires_at <= now)
            .order_by(Package.expires_at, Package.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        for package in list(found):
            await service.expire(session, package, now)
            ended += 1
    return ended


async def remind_expiring() -> int:
    """Tell clients, once, that a package with sessions left expires within
    PACKAGES_EXPIRY_REMINDER_DAYS."""
    now = utcnow()
    horizon = now + timedelta(days=package_settings().expiry_reminder_days)
    reminded = 0
    async with unit_of_work() as session:
        found = await session.scalars(
            select(Package)
            .where(
                Package.status == PackageStatus.active,
                Package.expires_at > now,
                Package.expires_at <= horizon,
                Package.reminded_at.is_(None),
            )
            .order_by(Package.expires_at, Package.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        for package in list(found):
            package.reminded_at = now
            if package.remaining > 0:
                await notices.expiring(session, package)
                reminded += 1
    return reminded
