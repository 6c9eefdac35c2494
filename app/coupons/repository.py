"""The queries on promo codes and their uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.coupons.models import Coupon, CouponRedemption, UseState


async def get_coupon(
    session: AsyncSession, coupon_id: UUID, *, lock: bool = False
) -> Coupon | None:
    statement = select(Coupon).where(Coupon.id == coupon_id)
    return await session.scalar(statement.with_for_update() if lock else statement)


def coupons(*, active: bool | None) -> Select[Coupon]:
    """The salon's codes; personal codes are listed by the domain that issued them."""
    statement = select(Coupon).where(Coupon.owner_client_id.is_(None))
    if active is not None:
        statement = statement.where(Coupon.active.is_(active))
    return statement


def uses_of(coupon_id: UUID) -> Select[CouponRedemption]:
    return select(CouponRedemption).where(CouponRedemption.coupon_id == coupon_id)


@dataclass(frozen=True, slots=True)
class UseTotals:
    uses: int  # paid or confirmed
    held: int  # on bookings waiting for their deposit
    clients: int
    discount_cents: int
    amount_after_cents: int
    last_used_at: datetime | None


async def use_totals(session: AsyncSession, coupon_id: UUID) -> UseTotals:
    used = CouponRedemption.state == UseState.used
    uses, held, people, discount, after, last = (
        await session.execute(
            select(
                func.count().filter(used),
                func.count().filter(CouponRedemption.state == UseState.held),
                func.count(func.distinct(CouponRedemption.client_id)).filter(used),
                func.coalesce(func.sum(CouponRedemption.discount_cents).filter(used), 0),
                func.coalesce(func.sum(CouponRedemption.amount_after_cents).filter(used), 0),
                func.max(CouponRedemption.at).filter(used),
            ).where(CouponRedemption.coupon_id == coupon_id)
        )
    ).one()
    return UseTotals(uses, held, people, int(discount), int(after), last)
