"""The coupons domain's client data: the uses of promo codes. They hold no personal detail
beyond the link to the record, so erasure keeps them on the anonymised record (per-client
limits and the code's figures stay true); a merge moves them, so a per-client limit does not
start again from zero."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.coupons.models import Coupon, CouponRedemption


async def export(session: AsyncSession, client: clients.ClientIdentity) -> dict[str, Any]:
    rows = await session.execute(
        select(CouponRedemption, Coupon.code)
        .join(Coupon, Coupon.id == CouponRedemption.coupon_id)
        .where(CouponRedemption.client_id == client.id)
        .order_by(CouponRedemption.at)
    )
    return {
        "coupon_uses": [
            {
                "code": code,
                "subject_kind": use.subject_kind,
                "subject_id": use.subject_id,
                "discount_cents": use.discount_cents,
                "state": use.state,
                "at": use.at,
            }
            for use, code in rows
        ]
    }


async def erase(session: AsyncSession, client: clients.ClientIdentity) -> None:
    return None  # amounts and dates only, tied to a record that no longer names anyone


clients.declare_client_data(
    "coupons",
    references={"coupon_redemptions.client_id"},
    export=export,
    erase=erase,
    merge=clients.reassign(CouponRedemption.client_id),
)
