"""Every query on the referral tables."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import Select, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.referrals.models import Referral, ReferralCode


async def lock_referrer(session: AsyncSession, referrer_id: UUID) -> None:
    """One conversion at a time per referrer, until the transaction ends: her monthly count
    and a friend's reward are decided by one transaction only."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"referrals:{referrer_id}"},
    )


async def code_row(session: AsyncSession, code: str) -> ReferralCode | None:
    return await session.get(ReferralCode, code)


async def primary_code(session: AsyncSession, client_id: UUID) -> ReferralCode | None:
    return await session.scalar(
        select(ReferralCode).where(ReferralCode.client_id == client_id, ReferralCode.is_primary)
    )


async def referral_of_friend(
    session: AsyncSession, friend_id: UUID, *, lock: bool = False
) -> Referral | None:
    statement = select(Referral).where(
        Referral.friend_client_id == friend_id, Referral.merged.is_(False)
    )
    return await session.scalar(statement.with_for_update() if lock else statement)


async def lock_referral(session: AsyncSession, referral_id: UUID) -> Referral:
    found = await session.scalar(
        select(Referral)
        .where(Referral.id == referral_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise LookupError(f"referral {referral_id} vanished")
    return found


async def referral_of_visit(
    session: AsyncSession, *, order_id: UUID | None = None, booking_id: UUID | None = None
) -> Referral | None:
    """The referral a visit converted; a booking's refunds count only when it never went
    through the till (there the credit ticket says what was given back)."""
    if order_id is not None:
        where = Referral.visit_order_id == order_id
    else:
        where = (Referral.visit_booking_id == booking_id) & Referral.visit_order_id.is_(None)
    found = await session.scalar(select(Referral.id).where(where))
    return None if found is None else await lock_referral(session, found)


def referrals(
    *,
    status: str | None = None,
    referrer_id: UUID | None = None,
    friend_id: UUID | None = None,
) -> Select[Referral]:
    statement = select(Referral)
    if status is not None:
        statement = statement.where(Referral.status == status)
    if referrer_id is not None:
        statement = statement.where(Referral.referrer_client_id == referrer_id)
    if friend_id is not None:
        statement = statement.where(Referral.friend_client_id == friend_id)
    return statement
