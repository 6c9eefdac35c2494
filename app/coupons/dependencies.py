"""The promo code loader of every staff route: front desk staff, the code locked when the
request changes it, 404 when there is none (nor for a client's personal code)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request

from app.auth.public import DbSession, FrontDesk, is_write
from app.core.errors import NotFound
from app.coupons import repository
from app.coupons.models import Coupon


async def coupon_for_staff(
    coupon_id: UUID, _: FrontDesk, session: DbSession, request: Request
) -> Coupon:
    coupon = await repository.get_coupon(session, coupon_id, lock=is_write(request))
    if coupon is None or coupon.owner_client_id is not None:
        # A personal code is managed by the domain that issued it (loyalty, referrals).
        raise NotFound("This code does not exist.")
    return coupon


CouponForStaff = Annotated[Coupon, Depends(coupon_for_staff)]
