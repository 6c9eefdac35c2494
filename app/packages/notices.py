"""The French messages a package sends: its purchase, the sessions left after a visit, and
the reminder before it expires (templates under app/notifications/templates/package_*)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.core.money import euros
from app.core.timeutils import zone
from app.notifications import public as notifications
from app.packages.models import Package


def _date(moment: datetime | None) -> str:
    return f"{moment.astimezone(zone()):%d/%m/%Y}" if moment else ""


def _context(package: Package, remaining: int | None = None) -> dict[str, Any]:
    return {
        "package": {
            "name": package.name,
            "sessions": package.sessions_total,
            "remaining": package.remaining if remaining is None else remaining,
            "price": euros(package.price_cents),
            "expires": _date(package.expires_at),
        }
    }


async def _send(
    session: AsyncSession,
    package: Package,
    template: str,
    key: str,
    channels: list[str],
    remaining: int | None = None,
) -> None:
    client = await clients.get_client(session, package.client_id)
    recipient = notifications.Recipient(client.id, client.first_name, client.email, client.phone)
    for channel in channels:
        await notifications.queue(
            session,
            template=template,
            channel=notifications.Channel(channel),
            recipient=recipient,
            context=_context(package, remaining),
            dedupe_key=f"{key}:{channel}",
        )


async def purchased(session: AsyncSession, package: Package) -> None:
    await _send(session, package, "package_purchased", f"package_purchased:{package.id}", ["email"])


async def sessions_left(
    session: AsyncSession, package: Package, *, use_key: str, remaining: int
) -> None:
    """What was left right after the visit (not when the message is written)."""
    await _send(
        session,
        package,
        "package_sessions_left",
        f"package_sessions_left:{use_key}",
        ["email", "sms"],
        remaining,
    )


async def expiring(session: AsyncSession, package: Package) -> None:
    await _send(
        session, package, "package_expiring", f"package_expiring:{package.id}", ["email", "sms"]
    )
