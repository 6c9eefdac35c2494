"""The points ledger: grants (earned, adjusted up, restored) each with its own expiry, and
debits (spent, expired, reversed, adjusted down) that take from the soonest-expiring grants
first through allocation rows. Nothing here edits a row: the balance is the sum of the
entries, a grant's remainder its points less its allocations. Every change runs under the
member's row lock (`lock_member`), like a gift card's balance."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.ids import new_id
from app.loyalty import earning
from app.loyalty.errors import NotEnoughPoints
from app.loyalty.models import EntryKind, LoyaltyAllocation, LoyaltyEntry, LoyaltyMember, Tier


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def grant_expiry(at: datetime) -> datetime:
    return add_months(at, get_settings().loyalty.points_validity_months)


async def lock_member(session: AsyncSession, client_id: UUID) -> LoyaltyMember:
    """The client's loyalty row, created on first use, locked until the commit: two tills
    spending her points at once queue here and the second sees what the first took."""
    await clients.get_client(session, client_id)  # ClientNotFound, never a dangling member
    now = utcnow()
    await earning.ensure_defaults(session)
    entry_tier = (
        select(Tier.id).where(Tier.threshold == 0).order_by(Tier.rank).limit(1).scalar_subquery()
    )
    await session.execute(
        insert(LoyaltyMember)
        .values(
            client_id=client_id,
            tier_id=entry_tier,
            tier_since_at=now,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["client_id"])
    )
    member = await session.scalar(
        select(LoyaltyMember)
        .where(LoyaltyMember.client_id == client_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if member is None:  # pragma: no cover - inserted above
        raise RuntimeError("loyalty member row vanished")
    return member


async def balance(session: AsyncSession, client_id: UUID) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(LoyaltyEntry.points), 0)).where(
            LoyaltyEntry.client_id == client_id
        )
    )
    return int(total or 0)


@dataclass(frozen=True, slots=True)
class Grant:
    id: UUID
    points: int
    remaining: int
    expires_at: datetime
    at: datetime


async def open_grants(
    session: AsyncSession, client_id: UUID, *, now: datetime | None = None
) -> list[Grant]:
    """Her grants with points left, soonest expiry first (`now`: only those not expired)."""
    taken = (
        select(func.coalesce(func.sum(LoyaltyAllocation.points), 0))
        .where(LoyaltyAllocation.grant_id == LoyaltyEntry.id)
        .correlate(LoyaltyEntry)
        .scalar_subquery()
    )
    statement = select(LoyaltyEntry, taken).where(
        LoyaltyEntry.client_id == client_id, LoyaltyEntry.points > 0
    )
    if now is not None:
        statement = statement.where(LoyaltyEntry.expires_at > now)
    rows = await session.execute(
        statement.order_by(LoyaltyEntry.expires_at, LoyaltyEntry.at, LoyaltyEntry.id)
    )
    grants = []
    for entry, used in rows:
        left = entry.points - int(used)
        if left > 0 and entry.expires_at is not None:
            grants.append(Grant(entry.id, entry.points, left, entry.expires_at, entry.at))
    return grants


def _entry(
    client_id: UUID,
    kind: EntryKind,
    points: int,
    *,
    source_key: str,
    source_kind: str,
    source_id: UUID | None,
    at: datetime,
    base_cents: int = 0,
    earned_entry_id: UUID | None = None,
    shortfall: int = 0,
    reason: str | None = None,
    actor_user_id: UUID | None = None,
) -> LoyaltyEntry:
    return LoyaltyEntry(
        id=new_id(),
        client_id=client_id,
        kind=kind,
        points=points,
        expires_at=grant_expiry(at) if points > 0 else None,
        source_key=source_key,
        source_kind=source_kind,
        source_id=source_id,
        base_cents=base_cents,
        earned_entry_id=earned_entry_id,
        shortfall=shortfall,
        reason=reason,
        actor_user_id=actor_user_id,
        at=at,
    )


async def already(session: AsyncSession, source_key: str) -> LoyaltyEntry | None:
    return await session.scalar(select(LoyaltyEntry).where(LoyaltyEntry.source_key == source_key))


async def add_grant(
    session: AsyncSession,
    member: LoyaltyMember,
    kind: EntryKind,
    points: int,
    *,
    source_key: str,
    source_kind: str,
    source_id: UUID | None = None,
    base_cents: int = 0,
    visit: bool = False,
    reason: str | None = None,
    actor_user_id: UUID | None = None,
) -> LoyaltyEntry | None:
    """A grant that expires LOYALTY_POINTS_VALIDITY_MONTHS from now; None when this cause
    already counted (its `source_key`)."""
    if await already(session, source_key) is not None:
        return None
    entry = _entry(
        member.client_id,
        kind,
        points,
        source_key=source_key,
        source_kind=source_kind,
        source_id=source_id,
        at=utcnow(),
        base_cents=base_cents,
        reason=reason,
        actor_user_id=actor_user_id,
    )
    entry.visit = visit
    session.add(entry)
    await session.flush()
    return entry


async def add_debit(
    session: AsyncSession,
    member: LoyaltyMember,
    kind: EntryKind,
    points: int,
    *,
    source_key: str,
    source_kind: str,
    source_id: UUID | None = None,
    partial: bool = False,
    first_from: UUID | None = None,
    base_cents: int = 0,
    earned_entry_id: UUID | None = None,
    reason: str | None = None,
    actor_user_id: UUID | None = None,
    grants: list[Grant] | None = None,
) -> LoyaltyEntry | None:
    """Take `points` from her open grants, soonest expiry first (`first_from`: that grant
    before the others, a reversal's own earning). Refused (`NotEnoughPoints`) when she has
    less, unless `partial`: then what she has is taken and the rest is the shortfall."""
    now = utcnow()
    grants = grants if grants is not None else await open_grants(session, member.client_id, now=now)
    if first_from is not None:
        grants = sorted(grants, key=lambda g: g.id != first_from)
    available = sum(g.remaining for g in grants)
    if points > available and not partial:
        raise NotEnoughPoints(
            f"{available} points are available.", extra={"available_points": available}
        )
    taken = min(points, available)
    entry = _entry(
        member.client_id,
        kind,
        -taken,
        source_key=source_key,
        source_kind=source_kind,
        source_id=source_id,
        at=now,
        base_cents=base_cents,
        earned_entry_id=earned_entry_id,
        shortfall=points - taken,
        reason=reason,
        actor_user_id=actor_user_id,
    )
    if taken == 0 and entry.shortfall == 0 and kind is not EntryKind.reversed:
        return None  # a reversal is kept even at zero: its amount counts towards the next
    session.add(entry)
    await session.flush()
    left = taken
    for grant in grants:
        if left == 0:
            break
        part = min(left, grant.remaining)
        session.add(
            LoyaltyAllocation(id=new_id(), grant_id=grant.id, debit_id=entry.id, points=part)
        )
        left -= part
    await session.flush()
    return entry


async def settle_member(session: AsyncSession, member: LoyaltyMember, now: datetime) -> list[Grant]:
    """Write her due expiries, then answer her open grants (one read when none was due)."""
    grants = await open_grants(session, member.client_id)
    if all(g.expires_at > now for g in grants):
        return grants
    await _expire(session, member, [g for g in grants if g.expires_at <= now])
    return [g for g in grants if g.expires_at > now]


async def expire_member(session: AsyncSession, member: LoyaltyMember, now: datetime) -> int:
    """Write off what is left of her grants past their expiry, one entry per grant (each
    takes only from its own grant). Returns the points expired."""
    grants = [g for g in await open_grants(session, member.client_id) if g.expires_at <= now]
    return await _expire(session, member, grants)


async def _expire(session: AsyncSession, member: LoyaltyMember, grants: list[Grant]) -> int:
    """One `expired` entry per grant, taking only from it; written in two batched inserts
    (the entries, then their allocations), whatever the number of grants."""
    if not grants:
        return 0
    now = utcnow()
    entries = [
        _entry(
            member.client_id,
            EntryKind.expired,
            -grant.remaining,
            source_key=f"expired:{grant.id}",
            source_kind="expiry",
            source_id=grant.id,
            at=now,
        )
        for grant in grants
    ]
    session.add_all(entries)
    await session.flush()
    session.add_all(
        LoyaltyAllocation(id=new_id(), grant_id=grant.id, debit_id=entry.id, points=grant.remaining)
        for grant, entry in zip(grants, entries, strict=True)
    )
    await session.flush()
    return sum(grant.remaining for grant in grants)
