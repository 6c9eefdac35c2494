"""The nightly expiry of points and the reminder before it. Members are locked with SKIP
LOCKED (one at a till is done the next night, or when she next spends: every spend writes
her due expiries first). The reminder goes once per client and expiry date: a unique row
(`loyalty_expiry_reminders`) and the message's dedupe key, so two scans at once send one."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy import Select, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.db import unit_of_work
from app.core.ids import new_id
from app.core.timeutils import zone
from app.loyalty import ledger, messages
from app.loyalty.models import ExpiryReminder, LoyaltyAllocation, LoyaltyEntry, LoyaltyMember

BATCH = 200


Due = Select[UUID, datetime | None, int]


def _open_grants_due(before: datetime, after: datetime | None = None) -> Due:
    taken = (
        select(func.coalesce(func.sum(LoyaltyAllocation.points), 0))
        .where(LoyaltyAllocation.grant_id == LoyaltyEntry.id)
        .correlate(LoyaltyEntry)
        .scalar_subquery()
    )
    statement = select(
        LoyaltyEntry.client_id, LoyaltyEntry.expires_at, LoyaltyEntry.points - taken
    ).where(LoyaltyEntry.points > 0, LoyaltyEntry.expires_at <= before, LoyaltyEntry.points > taken)
    if after is not None:
        statement = statement.where(LoyaltyEntry.expires_at > after)
    return statement


async def _members(session: AsyncSession, client_ids: set[UUID]) -> list[LoyaltyMember]:
    return list(
        await session.scalars(
            select(LoyaltyMember)
            .where(LoyaltyMember.client_id.in_(client_ids))
            .order_by(LoyaltyMember.client_id)
            .with_for_update(skip_locked=True)
        )
    )


async def expire_due(*, now: datetime | None = None) -> int:
    """Write off every grant past its expiry. Returns the points expired."""
    now = now or utcnow()
    total = 0
    async with unit_of_work() as session:
        rows = await session.execute(_open_grants_due(now).limit(BATCH * 10))
        clients = {client_id for client_id, _, _ in rows}
        for member in await _members(session, clients):
            total += await ledger.expire_member(session, member, now)
    return total


async def _remind(
    session: AsyncSession, member: LoyaltyMember, expires_on: date, points: int, first: datetime
) -> bool:
    written = await session.scalar(
        insert(ExpiryReminder)
        .values(
            id=new_id(),
            client_id=member.client_id,
            expires_on=expires_on,
            points=points,
            at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["client_id", "expires_on"])
        .returning(ExpiryReminder.id)
    )
    if written is None:
        return False
    await messages.points_expiring(
        session,
        member,
        points=points,
        expires_at=first,
        key=f"{member.client_id}:{expires_on.isoformat()}",
    )
    return True


async def remind_expiring(*, now: datetime | None = None) -> int:
    """Tell members whose points expire within LOYALTY_EXPIRY_REMINDER_DAYS, once per
    client and expiry date (a batch of grants expiring the same day). Returns how many."""
    now = now or utcnow()
    horizon = now + timedelta(days=get_settings().loyalty.expiry_reminder_days)
    reminded = 0
    async with unit_of_work() as session:
        rows = await session.execute(_open_grants_due(horizon, after=now))
        due: dict[tuple[UUID, date], tuple[int, datetime]] = defaultdict(lambda: (0, horizon))
        for client_id, expires_at, left in rows:
            if expires_at is None:  # a grant always has one (a check constraint)
                continue
            key = (client_id, expires_at.astimezone(zone()).date())
            points, first = due[key]
            due[key] = (points + int(left), min(first, expires_at))
        members = {m.client_id: m for m in await _members(session, {c for c, _ in due})}
        for (client_id, expires_on), (points, first) in sorted(due.items()):
            member = members.get(client_id)
            if member is not None and await _remind(session, member, expires_on, points, first):
                reminded += 1
    return reminded
