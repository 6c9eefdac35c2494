"""The loyalty domain's client data. The ledger is the record of what she earned and spent:
an erasure keeps its figures on the anonymised record but clears the managers' free text and
retires her member card; a merge moves every row to the kept record, so the two ledgers add
up (a balance is the sum of the entries)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.core.clock import utcnow
from app.loyalty.models import (
    ExpiryReminder,
    LoyaltyEntry,
    LoyaltyMember,
    Redemption,
    Reward,
    Tier,
    TierMove,
)


async def export(session: AsyncSession, client: clients.ClientIdentity) -> dict[str, Any]:
    member = await session.get(LoyaltyMember, client.id)
    tier = await session.get(Tier, member.tier_id) if member and member.tier_id else None
    entries = await session.scalars(
        select(LoyaltyEntry).where(LoyaltyEntry.client_id == client.id).order_by(LoyaltyEntry.at)
    )
    rewards = await session.execute(
        select(Redemption, Reward.name)
        .join(Reward, Reward.id == Redemption.reward_id)
        .where(Redemption.client_id == client.id)
        .order_by(Redemption.at)
    )
    return {
        "loyalty": {
            "tier": tier.name if tier else None,
            "entries": [
                {
                    "kind": e.kind,
                    "points": e.points,
                    "expires_at": e.expires_at,
                    "source_kind": e.source_kind,
                    "reason": e.reason,
                    "at": e.at,
                }
                for e in entries
            ],
            "rewards": [
                {"reward": name, "points": r.points, "ends_at": r.ends_at, "at": r.at}
                for r, name in rewards
            ],
        }
    }


async def erase(session: AsyncSession, client: clients.ClientIdentity) -> None:
    await session.execute(
        update(LoyaltyEntry)
        .where(LoyaltyEntry.client_id == client.id, LoyaltyEntry.reason.is_not(None))
        .values(reason=None)
    )
    await session.execute(
        update(LoyaltyMember)
        .where(LoyaltyMember.client_id == client.id)
        .values(card_version=LoyaltyMember.card_version + 1, updated_at=utcnow())
    )


async def merge(session: AsyncSession, source_id: UUID, target_id: UUID) -> dict[str, Any]:
    now = utcnow()
    await session.execute(
        insert(LoyaltyMember)
        .values(client_id=target_id, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["client_id"])
    )
    moved = await session.execute(
        update(LoyaltyEntry).where(LoyaltyEntry.client_id == source_id).values(client_id=target_id)
    )
    for model in (TierMove, Redemption):
        await session.execute(
            update(model).where(model.client_id == source_id).values(client_id=target_id)
        )
    # One reminder per client and date: the kept record's stands.
    kept_dates = select(ExpiryReminder.expires_on).where(ExpiryReminder.client_id == target_id)
    await session.execute(
        delete(ExpiryReminder).where(
            ExpiryReminder.client_id == source_id, ExpiryReminder.expires_on.in_(kept_dates)
        )
    )
    await session.execute(
        update(ExpiryReminder)
        .where(ExpiryReminder.client_id == source_id)
        .values(client_id=target_id)
    )
    await session.execute(delete(LoyaltyMember).where(LoyaltyMember.client_id == source_id))
    return {"loyalty_entries_moved": moved.rowcount}  # type: ignore[attr-defined]


clients.declare_client_data(
    "loyalty",
    references={
        "loyalty_members.client_id",
        "loyalty_entries.client_id",
        "loyalty_tier_moves.client_id",
        "loyalty_redemptions.client_id",
        "loyalty_expiry_reminders.client_id",
    },
    export=export,
    erase=erase,
    merge=merge,
)
