"""What other domains may use from loyalty: the points a verified review earns (for the
reviews domain to call when it publishes one), and a client's balance."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.loyalty import flows, ledger
from app.loyalty.models import Action

__all__ = ["points_balance", "reward_verified_review"]


async def reward_verified_review(session: AsyncSession, client_id: UUID, review_id: UUID) -> int:
    """The salon's points for a verified review (its `verified_review` rule), once per
    review; answers the points given (0 when no rule gives any or it already counted)."""
    entry = await flows.grant_action(session, client_id, Action.verified_review, key=str(review_id))
    return entry.points if entry is not None else 0


async def points_balance(session: AsyncSession, client_id: UUID) -> int:
    """Her balance as the ledger says it (the sum of her entries)."""
    return await ledger.balance(session, client_id)
