"""How many points a sale earns, from the rules the salon edits (docs/loyalty.md, "Earning").

Only money really taken earns: the sale's lines share what was paid in money (a gift card's
tender is left out, its own sale was not a service), each line earns the per-euro rules
that match it (every line the general rule, a service or product line the rules on its kind,
a service the rules on its category), a visit earns the per-visit rules, then the campaigns
running at the moment of the sale and the client's tier multiply and add. Points are whole:
the total is rounded down once, at the end."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import exists, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.catalog import public as catalog
from app.core.clock import utcnow
from app.core.money import split
from app.loyalty.models import EarningRule, RuleKind, Tier, TierBasis


@dataclass(frozen=True, slots=True)
class SaleLine:
    kind: str  # service, product or fee
    item_id: UUID | None
    amount_cents: int  # VAT included, discounts deducted


@dataclass(frozen=True, slots=True)
class Earned:
    points: int
    money_cents: int  # the money that earned them (gift cards left out)


DISCOVERY, PRIORITY = "Un soin découverte offert par an", "Réservation prioritaire"
DEFAULT_TIERS: tuple[tuple[str, int, int, Decimal, list[str]], ...] = (
    ("Bronze", 0, 0, Decimal("1"), []),
    ("Silver", 1, 30_000, Decimal("1.25"), [DISCOVERY]),
    ("Gold", 2, 80_000, Decimal("1.5"), [DISCOVERY, PRIORITY]),
)


async def ensure_defaults(session: AsyncSession) -> None:
    """The programme out of the box (the salon edits it): one point per euro, and Bronze,
    Silver and Gold on the spend of the rolling period. Written only when none exist, once
    even when two requests arrive together (the tiers' unique rank; a lock for the rule)."""
    if not await session.scalar(select(exists().where(Tier.id.is_not(None)))):
        now = utcnow()
        for name, rank, threshold, multiplier, perks in DEFAULT_TIERS:
            await session.execute(
                insert(Tier)
                .values(
                    name=name,
                    rank=rank,
                    basis=TierBasis.spend,
                    threshold=threshold,
                    multiplier=multiplier,
                    perks=perks,
                    created_at=now,
                    updated_at=now,
                )
                .on_conflict_do_nothing()
            )
    if not await session.scalar(select(exists().where(EarningRule.id.is_not(None)))):
        from sqlalchemy import text

        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('loyalty-defaults'))"))
        if not await session.scalar(select(exists().where(EarningRule.id.is_not(None)))):
            now = utcnow()
            session.add(
                EarningRule(
                    kind=RuleKind.per_euro,
                    name="1 point par euro",
                    points_per_euro=Decimal(1),
                    created_at=now,
                    updated_at=now,
                )
            )
            await session.flush()


async def rules_at(session: AsyncSession, at: datetime) -> list[EarningRule]:
    """The active rules in force at `at` (a rule with dates only between them)."""
    return list(
        await session.scalars(
            select(EarningRule).where(
                EarningRule.active,
                or_(EarningRule.starts_at.is_(None), EarningRule.starts_at <= at),
                or_(EarningRule.ends_at.is_(None), EarningRule.ends_at > at),
            )
        )
    )


def money_per_line(lines: list[SaleLine], money_cents: int) -> list[int]:
    """Each line's share of the money paid, by largest remainder (shares sum to it)."""
    weights = [max(line.amount_cents, 0) for line in lines]
    if money_cents <= 0 or sum(weights) == 0:
        return [0] * len(lines)
    return split(min(money_cents, sum(weights)), weights)


async def points_for_sale(
    session: AsyncSession,
    *,
    lines: list[SaleLine],
    money_cents: int,
    visit: bool,
    at: datetime,
    tier_multiplier: Decimal,
) -> Earned:
    """The points a sale earns (see the module's docstring)."""
    rules = await rules_at(session, at)
    shares = money_per_line(lines, money_cents)
    services = [line.item_id for line in lines if line.kind == "service" and line.item_id]
    categories = await catalog.service_categories(session, services) if services else {}
    raw = Decimal(0)
    for line, share in zip(lines, shares, strict=True):
        category = categories.get(line.item_id) if line.item_id else None
        for rule in rules:
            if rule.kind != RuleKind.per_euro or rule.points_per_euro is None:
                continue
            if rule.item_kind is not None and rule.item_kind != line.kind:
                continue
            if rule.category_id is not None and (
                category is None or category.id != rule.category_id
            ):
                continue
            raw += rule.points_per_euro * Decimal(share).scaleb(-2)  # per euro: cents to euros
    if visit and money_cents > 0:
        raw += sum(Decimal(r.points or 0) for r in rules if r.kind == RuleKind.per_visit)
    for rule in rules:
        if rule.kind == RuleKind.campaign and money_cents > 0:
            raw = raw * (rule.multiplier or Decimal(1)) + (rule.points or 0)
    raw *= tier_multiplier
    return Earned(points=math.floor(raw), money_cents=max(money_cents, 0))


async def action_points(session: AsyncSession, action: str, at: datetime) -> int:
    rules = await rules_at(session, at)
    return sum(r.points or 0 for r in rules if r.kind == RuleKind.action and r.action == action)
