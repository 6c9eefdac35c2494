"""Tiers: each night a member's tier is the highest whose threshold her spend (or visits)
over the last LOYALTY_TIER_PERIOD_MONTHS reaches; she moves up and down by the same rule,
and each move is recorded and told to her. Spend and visits are read from the ledger: the
sales that earned points (their amount), less what credit tickets and refunds gave back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import Uuid, case, column, func, select, update, values
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.db import unit_of_work
from app.core.ids import new_id
from app.core.money import euros
from app.loyalty import earning, ledger, messages
from app.loyalty.models import EntryKind, LoyaltyEntry, LoyaltyMember, Tier, TierBasis, TierMove

BATCH = 500


def _threshold_text(tier: Tier, months: int) -> str:
    if tier.threshold == 0:
        return f"{tier.name} : dès l'inscription"
    if tier.basis == TierBasis.visits:
        return f"{tier.name} : {tier.threshold} visites sur les {months} derniers mois"
    return f"{tier.name} : {euros(tier.threshold)} d'achats sur les {months} derniers mois"


async def stated_rule(session: AsyncSession) -> str:
    """How tiers move, in the client's words (French), from the tiers as they are now."""
    months = get_settings().loyalty.tier_period_months
    rows = list(await session.scalars(select(Tier).order_by(Tier.rank)))
    levels = " ; ".join(_threshold_text(t, months) for t in rows)
    return (
        f"Votre niveau est recalculé chaque nuit sur vos {months} derniers mois : {levels}. "
        "Vous montez dès qu'un seuil est atteint et redescendez quand il ne l'est plus ; "
        "les remboursements sont déduits."
    )


@dataclass(frozen=True, slots=True)
class Activity:
    spend_cents: int
    visits: int


async def activity(
    session: AsyncSession, client_ids: list[UUID], since: datetime
) -> dict[UUID, Activity]:
    """Spend and visits of these members since `since`, in one query."""
    sales = LoyaltyEntry.source_kind.in_(("ticket", "booking"))
    spend = func.coalesce(
        func.sum(
            case(
                (sales & (LoyaltyEntry.kind == EntryKind.earned), LoyaltyEntry.base_cents),
                (LoyaltyEntry.kind == EntryKind.reversed, -LoyaltyEntry.base_cents),
                else_=0,
            )
        ),
        0,
    )
    visits = func.count().filter(LoyaltyEntry.visit)
    rows = await session.execute(
        select(LoyaltyEntry.client_id, spend, visits)
        .where(LoyaltyEntry.client_id.in_(client_ids), LoyaltyEntry.at >= since)
        .group_by(LoyaltyEntry.client_id)
    )
    found = {cid: Activity(max(int(s), 0), int(v)) for cid, s, v in rows}
    return {cid: found.get(cid, Activity(0, 0)) for cid in client_ids}


def tier_for(tiers: list[Tier], seen: Activity) -> Tier | None:
    """The highest-ranked tier whose threshold is reached."""
    best = None
    for tier in sorted(tiers, key=lambda t: t.rank):
        reached = seen.visits if tier.basis == TierBasis.visits else seen.spend_cents
        if reached >= tier.threshold:
            best = tier
    return best


async def _apply(
    session: AsyncSession, members: list[LoyaltyMember], tiers: list[Tier], now: datetime
) -> int:
    since = ledger.add_months(now, -get_settings().loyalty.tier_period_months)
    seen = await activity(session, [m.client_id for m in members], since)
    ranks = {t.id: t.rank for t in tiers}
    rule = await stated_rule(session)
    moves: list[TierMove] = []
    for member in members:
        target = tier_for(tiers, seen[member.client_id])
        target_id = target.id if target else None
        if target_id == member.tier_id:
            continue
        move = TierMove(
            id=new_id(),
            client_id=member.client_id,
            from_tier_id=member.tier_id,
            to_tier_id=target_id,
            spend_cents=seen[member.client_id].spend_cents,
            visits=seen[member.client_id].visits,
            at=now,
        )
        moves.append(move)
        up = target is not None and ranks.get(member.tier_id or target.id, -1) < target.rank
        # A first tier given at the programme's start is no news; a move is told.
        if target is not None and move.from_tier_id is not None:
            await messages.tier_changed(
                session, member, target, up=up, rule=rule, move_id=str(move.id)
            )
    if moves:
        session.add_all(moves)
        # One statement for the batch, not one UPDATE per member.
        changed = values(column("client_id", Uuid), column("tier_id", Uuid), name="changed").data(
            [(m.client_id, m.to_tier_id) for m in moves]
        )
        await session.execute(
            update(LoyaltyMember)
            .where(LoyaltyMember.client_id == changed.c.client_id)
            .values(tier_id=changed.c.tier_id, tier_since_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        await session.flush()
    return len(moves)


async def apply_tiers(*, now: datetime | None = None) -> int:
    """The nightly task: every member's tier from her activity, in batches locked with SKIP
    LOCKED (a member busy at a till is seen the next night). Returns the moves made."""
    now = now or utcnow()
    moved, after = 0, None
    while True:
        async with unit_of_work() as session:
            await earning.ensure_defaults(session)
            tiers = list(await session.scalars(select(Tier).order_by(Tier.rank)))
            statement = select(LoyaltyMember).order_by(LoyaltyMember.client_id).limit(BATCH)
            if after is not None:
                statement = statement.where(LoyaltyMember.client_id > after)
            members = list(await session.scalars(statement.with_for_update(skip_locked=True)))
            if not members:
                return moved
            moved += await _apply(session, members, tiers, now)
            after = members[-1].client_id
