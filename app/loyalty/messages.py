"""What the programme tells clients (French templates in app/notifications/templates/loyalty_*):
points earned after a visit and a tier change or expiry ahead are about her account, service
messages; "il vous manque N points pour …" invites her to come back, a marketing message
(her consent and the unsubscribe link apply). Each has a dedupe key: one per cause."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.timeutils import zone
from app.loyalty import ledger
from app.loyalty.models import LoyaltyEntry, LoyaltyMember, Reward, Tier
from app.notifications import public as notifications

# A reward this close (a share of its cost) is worth telling her about.
THRESHOLD_SHARE = 0.2


def salon_date(moment: datetime) -> str:
    return f"{moment.astimezone(zone()):%d/%m/%Y}"


async def points_earned(session: AsyncSession, member: LoyaltyMember, entry: LoyaltyEntry) -> None:
    balance = await ledger.balance(session, member.client_id)
    await notifications.queue_for_client(
        session,
        template="loyalty_points_earned",
        client_id=member.client_id,
        context={"loyalty": {"points": entry.points, "balance": balance}},
        dedupe_prefix=f"loyalty_points_earned:{entry.id}",
    )
    await _threshold(session, member, entry, balance)


async def _threshold(
    session: AsyncSession, member: LoyaltyMember, entry: LoyaltyEntry, balance: int
) -> None:
    reward = await session.scalar(
        select(Reward)
        .where(Reward.active, Reward.points_cost > balance)
        .order_by(Reward.points_cost, Reward.id)
        .limit(1)
    )
    if reward is None or reward.points_cost - balance > reward.points_cost * THRESHOLD_SHARE:
        return
    await notifications.queue_for_client(
        session,
        template="loyalty_threshold",
        client_id=member.client_id,
        context={
            "loyalty": {
                "missing": reward.points_cost - balance,
                "reward": reward.name,
                "balance": balance,
                "cost": reward.points_cost,
            }
        },
        dedupe_prefix=f"loyalty_threshold:{entry.id}",
    )


async def tier_changed(
    session: AsyncSession, member: LoyaltyMember, tier: Tier, *, up: bool, rule: str, move_id: str
) -> None:
    await notifications.queue_for_client(
        session,
        template="loyalty_tier_changed",
        client_id=member.client_id,
        context={
            "loyalty": {
                "tier": tier.name,
                "up": up,
                "perks": ", ".join(tier.perks),
                "multiplier": f"{tier.multiplier:g}".replace(".", ","),
                "rule": rule,
            }
        },
        dedupe_prefix=f"loyalty_tier_changed:{move_id}",
    )


async def points_expiring(
    session: AsyncSession, member: LoyaltyMember, *, points: int, expires_at: datetime, key: str
) -> None:
    await notifications.queue_for_client(
        session,
        template="loyalty_points_expiring",
        client_id=member.client_id,
        context={
            "loyalty": {
                "points": points,
                "expires": salon_date(expires_at),
                "balance": await ledger.balance(session, member.client_id),
            }
        },
        dedupe_prefix=f"loyalty_points_expiring:{key}",
    )
