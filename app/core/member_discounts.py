"""Standing discounts a client has at the till by being a member (a membership's -10 % on
products, say). The till (app/sales) asks this registry for the order's client and applies
each percentage as a line discount with its reason, its usual mechanism; the owner of the
discount (app/subscriptions) declares it here, so sales never imports it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class MemberDiscount:
    product_percent: int
    service_percent: int
    reason: str  # printed on the ticket's line


Provider = Callable[[AsyncSession, UUID], Awaitable[MemberDiscount | None]]
_providers: dict[str, Provider] = {}


def provides(kind: str) -> Callable[[Provider], Provider]:
    def register(provider: Provider) -> Provider:
        _providers[kind] = provider
        return provider

    return register


async def best_for(session: AsyncSession, client_id: UUID) -> MemberDiscount | None:
    """The client's most generous standing discount (one applies, never several)."""
    found = [d for p in _providers.values() if (d := await p(session, client_id)) is not None]
    return max(found, key=lambda d: d.product_percent + d.service_percent, default=None)
