"""The promo code loader of every staff route: front desk staff, the code locked when the
request changes it, 404 when there is none."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from sqlalchemy import select

from app.auth.public import DbSession, FrontDesk, is_write
from app.core.errors import NotFound
from app.coupons.models import Coupon


async def coupon_for_staff(
    coupon_id: UUID, _: FrontDesk, session: DbSession, request: Request
) -> Coupon:
    statement = select(Coupon).where(Coupon.id == coupon_id)
    coupon = await session.scalar(statement.with_for_update() if is_write(request) else statement)
    if coupon is None:
        raise NotFound("This code does not exist.")
    return coupon


CouponForStaff = Annotated[Coupon, Depends(coupon_for_staff)]
