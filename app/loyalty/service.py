"""The programme's use cases for clients and staff: what a member has (balance, tier, next
expiry, what she can redeem), her ledger, a manager's adjustment, redeeming a reward into a
personal code (app/coupons), and the catalogue the salon edits (rules, tiers, rewards)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.public import record_audit
from app.clients import public as clients
from app.core import sealing
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.db import flush_or_raise
from app.core.errors import AppError, Conflict, ValidationFailed
from app.core.ids import new_id
from app.core.pagination import Page, PageParams, paginate
from app.coupons import public as coupons
from app.loyalty import earning, ledger, tiers
from app.loyalty.errors import (
    RewardNotAvailable,
    RewardNotFound,
    RuleNotFound,
    TierNotFound,
)
from app.loyalty.models import (
    EarningRule,
    EntryKind,
    LoyaltyEntry,
    LoyaltyMember,
    Redemption,
    Reward,
    RewardKind,
    Tier,
)
from app.loyalty.schemas import (
    EntryOut,
    MyLoyaltyOut,
    NextExpiry,
    RedemptionOut,
    RewardIn,
    RewardOut,
    RuleIn,
    RuleOut,
    ScannedOut,
    StaffLoyaltyOut,
    TierIn,
    TierOut,
    TierStatus,
)

CODE_SEAL = "loyalty-reward-code"


async def _tier_status(session: AsyncSession, member: LoyaltyMember) -> TierStatus:
    tier = await session.get(Tier, member.tier_id) if member.tier_id else None
    return TierStatus(
        tier=TierOut.model_validate(tier) if tier else None,
        since=member.tier_since_at,
        rule=await tiers.stated_rule(session),
    )


async def _next_expiry(grants: list[ledger.Grant]) -> NextExpiry | None:
    if not grants:
        return None
    first = grants[0].expires_at
    return NextExpiry(
        points=sum(g.remaining for g in grants if g.expires_at == first), expires_at=first
    )


async def _redemptions(
    session: AsyncSession, client_id: UUID, *, limit: int, with_codes: bool
) -> list[RedemptionOut]:
    rows = await session.execute(
        select(Redemption, Reward.name)
        .join(Reward, Reward.id == Redemption.reward_id)
        .where(Redemption.client_id == client_id)
        .order_by(Redemption.at.desc(), Redemption.id.desc())
        .limit(limit)
    )
    found = []
    for redemption, name in rows:
        state = await coupons.personal_code_state(session, redemption.coupon_id)
        code = sealing.unseal(CODE_SEAL, redemption.code_sealed).decode() if with_codes else None
        found.append(
            RedemptionOut(
                id=redemption.id,
                reward_id=redemption.reward_id,
                reward_name=name,
                points=redemption.points,
                state=state,
                ends_at=redemption.ends_at,
                at=redemption.at,
                code=code if state in {"available", "held"} else None,
            )
        )
    return found


async def member_summary(session: AsyncSession, client_id: UUID) -> MyLoyaltyOut:
    """Her balance (read under her row lock, due expiries written first), tier and its
    stated rule, next expiry, the rewards she can afford, recent movements and rewards."""
    await earning.ensure_defaults(session)
    member = await ledger.lock_member(session, client_id)
    grants = await ledger.settle_member(session, member, utcnow())
    balance = sum(g.remaining for g in grants)
    rewards = await session.scalars(
        select(Reward)
        .where(Reward.active, Reward.points_cost <= balance)
        .order_by(Reward.points_cost, Reward.id)
    )
    recent = await session.scalars(
        select(LoyaltyEntry)
        .where(LoyaltyEntry.client_id == client_id)
        .order_by(LoyaltyEntry.at.desc(), LoyaltyEntry.id.desc())
        .limit(10)
    )
    return MyLoyaltyOut(
        balance=balance,
        tier=await _tier_status(session, member),
        next_expiry=await _next_expiry(grants),
        redeemable=[RewardOut.model_validate(r) for r in rewards],
        recent=[EntryOut.model_validate(e) for e in recent],
        rewards=await _redemptions(session, client_id, limit=10, with_codes=True),
    )


async def staff_summary(session: AsyncSession, client_id: UUID) -> StaffLoyaltyOut:
    """The CRM widget: points, tier, next expiry, last rewards (never their codes)."""
    await earning.ensure_defaults(session)
    member = await ledger.lock_member(session, client_id)
    grants = await ledger.settle_member(session, member, utcnow())
    return StaffLoyaltyOut(
        client_id=client_id,
        balance=sum(g.remaining for g in grants),
        tier=await _tier_status(session, member),
        next_expiry=await _next_expiry(grants),
        last_rewards=await _redemptions(session, client_id, limit=5, with_codes=False),
    )


async def history(session: AsyncSession, client_id: UUID, *, page: PageParams) -> Page[EntryOut]:
    """Her ledger, newest first."""
    return await paginate(
        session,
        select(LoyaltyEntry).where(LoyaltyEntry.client_id == client_id),
        order_by=(LoyaltyEntry.at, LoyaltyEntry.id),
        params=page,
        descending=True,
        to_item=EntryOut.model_validate,
    )


async def adjust(
    session: AsyncSession, client_id: UUID, *, points: int, reason: str, actor_user_id: UUID
) -> EntryOut:
    """A manager adds points (a grant with its own expiry) or takes some (soonest expiry
    first, never more than she has), with a reason; audited."""
    if points == 0:
        raise ValidationFailed("An adjustment adds or takes at least one point.")
    member = await ledger.lock_member(session, client_id)
    await ledger.expire_member(session, member, utcnow())
    key = f"adjusted:{new_id()}"
    entry: LoyaltyEntry | None
    if points > 0:
        entry = await ledger.add_grant(
            session,
            member,
            EntryKind.adjusted,
            points,
            source_key=key,
            source_kind="manager",
            reason=reason,
            actor_user_id=actor_user_id,
        )
    else:
        entry = await ledger.add_debit(
            session,
            member,
            EntryKind.adjusted,
            -points,
            source_key=key,
            source_kind="manager",
            reason=reason,
            actor_user_id=actor_user_id,
        )
    if entry is None:  # pragma: no cover - a fresh key, a non-zero amount
        raise RuntimeError("adjustment not written")
    await record_audit(
        session,
        "loyalty.adjusted",
        actor_user_id=actor_user_id,
        subject_type="client",
        subject_id=client_id,
        data={"points": points, "reason": reason, "entry_id": str(entry.id)},
    )
    return EntryOut.model_validate(entry)


def _terms(reward: Reward, ends_at: Any) -> coupons.PersonalTerms:
    kind = RewardKind(reward.kind)
    if kind is RewardKind.percent:
        return coupons.PersonalTerms(reward.name, percent=reward.percent, ends_at=ends_at)
    if kind is RewardKind.free_service and reward.service_id:
        return coupons.PersonalTerms(
            reward.name, percent=Decimal(100), service_ids=(reward.service_id,), ends_at=ends_at
        )
    if kind is RewardKind.free_product and reward.product_id:
        return coupons.PersonalTerms(
            reward.name, percent=Decimal(100), product_ids=(reward.product_id,), ends_at=ends_at
        )
    # An amount off, and a gift card's value: a fixed amount on anything (docs/loyalty.md).
    return coupons.PersonalTerms(reward.name, amount_cents=reward.amount_cents, ends_at=ends_at)


async def redeem(
    session: AsyncSession, client_id: UUID, reward_id: UUID, *, actor_user_id: UUID | None
) -> RedemptionOut:
    """Spend the reward's points (under her row lock: two tills at once spend them once)
    and issue its personal code, usable once by her at the till or at booking checkout."""
    member = await ledger.lock_member(session, client_id)
    reward = await session.get(Reward, reward_id)
    if reward is None:
        raise RewardNotFound()
    if not reward.active:
        raise RewardNotAvailable()
    now = utcnow()
    await ledger.expire_member(session, member, now)
    redemption_id = new_id()
    entry = await ledger.add_debit(
        session,
        member,
        EntryKind.spent,
        reward.points_cost,
        source_key=f"redeemed:{redemption_id}",
        source_kind="reward",
        source_id=redemption_id,
        reason=reward.name,
        actor_user_id=actor_user_id,
    )
    if entry is None:  # pragma: no cover - a fresh key, a positive cost
        raise RuntimeError("redemption not written")
    ends_at = now + timedelta(days=get_settings().loyalty.reward_code_days)
    issued = await coupons.issue_personal_code(
        session, client_id=client_id, origin="loyalty", prefix="FID", terms=_terms(reward, ends_at)
    )
    session.add(
        Redemption(
            id=redemption_id,
            client_id=client_id,
            reward_id=reward.id,
            entry_id=entry.id,
            coupon_id=issued.coupon_id,
            code_sealed=sealing.seal(CODE_SEAL, issued.code),
            points=reward.points_cost,
            ends_at=issued.ends_at,
            redeemed_by_user_id=actor_user_id,
            at=now,
        )
    )
    await session.flush()
    return RedemptionOut(
        id=redemption_id,
        reward_id=reward.id,
        reward_name=reward.name,
        points=reward.points_cost,
        state="available",
        ends_at=issued.ends_at,
        at=now,
        code=issued.code,
    )


# The catalogue the salon edits.


async def list_rules(session: AsyncSession, *, page: PageParams) -> Page[RuleOut]:
    await earning.ensure_defaults(session)
    return await paginate(
        session,
        select(EarningRule),
        order_by=(EarningRule.created_at, EarningRule.id),
        params=page,
        to_item=RuleOut.model_validate,
    )


async def save_rule(
    session: AsyncSession, data: RuleIn, *, rule_id: UUID | None, actor_user_id: UUID
) -> RuleOut:
    rule = await _save(session, EarningRule, data, rule_id, RuleNotFound(), actor_user_id)
    return RuleOut.model_validate(rule)


async def list_tiers(session: AsyncSession) -> list[TierOut]:
    await earning.ensure_defaults(session)
    rows = await session.scalars(select(Tier).order_by(Tier.rank))
    return [TierOut.model_validate(t) for t in rows]


async def save_tier(
    session: AsyncSession, data: TierIn, *, tier_id: UUID | None, actor_user_id: UUID
) -> TierOut:
    conflict = Conflict("Another tier has this name or rank.")
    tier = await _save(session, Tier, data, tier_id, TierNotFound(), actor_user_id, conflict)
    return TierOut.model_validate(tier)


async def list_rewards(
    session: AsyncSession, *, page: PageParams, active_only: bool
) -> Page[RewardOut]:
    statement = select(Reward)
    if active_only:
        statement = statement.where(Reward.active)
    return await paginate(
        session,
        statement,
        order_by=(Reward.points_cost, Reward.id),
        params=page,
        to_item=RewardOut.model_validate,
    )


async def save_reward(
    session: AsyncSession, data: RewardIn, *, reward_id: UUID | None, actor_user_id: UUID
) -> RewardOut:
    reward = await _save(session, Reward, data, reward_id, RewardNotFound(), actor_user_id)
    return RewardOut.model_validate(reward)


_Editable = TypeVar("_Editable", EarningRule, Tier, Reward)
_AUDIT_NAMES: dict[type[Any], str] = {EarningRule: "rule", Tier: "tier", Reward: "reward"}


async def _save(
    session: AsyncSession,
    model: type[_Editable],
    data: BaseModel,
    row_id: UUID | None,
    not_found: AppError,
    actor_user_id: UUID,
    conflict: AppError | None = None,
) -> _Editable:
    """Creates (`row_id` None) or replaces one of the catalogue's rows, then audits it. The
    salon's defaults are made first, so its own rows come after them."""
    await earning.ensure_defaults(session)
    now = utcnow()
    values = data.model_dump()
    if row_id is None:
        row = model(id=new_id(), created_at=now, updated_at=now, **values)
        session.add(row)
    else:
        found = await session.get(model, row_id, with_for_update=True)
        if found is None:
            raise not_found
        row = found
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = now
    if conflict is None:
        await session.flush()
    else:
        await flush_or_raise(session, conflict)
    name = _AUDIT_NAMES[model]
    await record_audit(
        session,
        f"loyalty.{name}_saved",
        actor_user_id=actor_user_id,
        subject_type=f"loyalty_{name}",
        subject_id=row.id,
        data=data.model_dump(mode="json"),
    )
    return row


async def points_of(session: AsyncSession, client_ids: list[UUID]) -> dict[UUID, int]:
    rows = await session.execute(
        select(LoyaltyEntry.client_id, func.sum(LoyaltyEntry.points))
        .where(LoyaltyEntry.client_id.in_(client_ids))
        .group_by(LoyaltyEntry.client_id)
    )
    found = {client_id: int(total) for client_id, total in rows}
    return {client_id: found.get(client_id, 0) for client_id in client_ids}


async def scanned(session: AsyncSession, member: LoyaltyMember) -> ScannedOut:
    """What the till shows when it scans a member card."""
    who = await clients.get_client(session, member.client_id)
    tier = await session.get(Tier, member.tier_id) if member.tier_id else None
    grants = await ledger.open_grants(session, member.client_id, now=utcnow())
    return ScannedOut(
        client_id=who.id,
        first_name=who.first_name,
        last_name=who.last_name,
        balance=sum(g.remaining for g in grants),
        tier=tier.name if tier else None,
    )
