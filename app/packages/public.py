"""What other domains may use from packages: an offer as the till prices it, a client's
packages for her GDPR export, and the topics the books follow."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.packages.errors import OfferNotFound, OfferNotSold, PackageNeedsClient
from app.packages.models import Package, PackageUse
from app.packages.service import offer_on_sale
from app.packages.topics import (
    TOPIC_EXPIRED,
    TOPIC_REFUNDED,
    TOPIC_SESSION_USED,
    TOPIC_SOLD,
    PackageExpired,
    PackageRefunded,
    PackageSold,
    SessionUsed,
)

__all__ = [
    "TOPIC_EXPIRED",
    "TOPIC_REFUNDED",
    "TOPIC_SESSION_USED",
    "TOPIC_SOLD",
    "OfferNotFound",
    "OfferNotSold",
    "PackageExpired",
    "PackageNeedsClient",
    "PackageRefunded",
    "PackageSold",
    "SessionUsed",
    "TillOffer",
    "export_client_packages",
    "offer_for_till",
]


@dataclass(frozen=True, slots=True)
class TillOffer:
    """An offer as a till line: its label, price with VAT and VAT rate."""

    id: UUID
    label: str
    price_cents: int
    vat_rate: Decimal


async def offer_for_till(session: AsyncSession, offer_id: UUID) -> TillOffer:
    """An offer on sale, for a `package` line of the till (404 / 409 otherwise)."""
    offer = await offer_on_sale(session, offer_id, online=False)
    return TillOffer(offer.id, f"Forfait {offer.name}"[:200], offer.price_cents, offer.vat_rate)


async def export_client_packages(session: AsyncSession, client_id: UUID) -> list[dict[str, Any]]:
    """Her packages and each session's use, for a GDPR export."""
    packages = list(await session.scalars(select(Package).where(Package.client_id == client_id)))
    uses: dict[UUID, list[dict[str, Any]]] = {p.id: [] for p in packages}
    if packages:
        rows = await session.scalars(
            select(PackageUse).where(PackageUse.package_id.in_(list(uses)))
        )
        for use in rows:
            uses[use.package_id].append(
                {
                    "booking_id": use.booking_id,
                    "service_id": use.service_id,
                    "status": use.status,
                    "start_at": use.start_at,
                }
            )
    return [
        {
            "id": p.id,
            "name": p.name,
            "status": p.status,
            "sessions_total": p.sessions_total,
            "remaining": p.remaining,
            "price_cents": p.price_cents,
            "refunded_cents": p.refunded_cents,
            "activated_at": p.activated_at,
            "expires_at": p.expires_at,
            "uses": uses[p.id],
        }
        for p in packages
    ]
