"""The coupons domain's client data: the uses of promo codes. They hold no personal detail
beyond the link to the record, so erasure keeps them on the anonymised record (per-client
limits and the code's figures stay true); a merge moves them, so a per-client limit does not
start again from zero."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.core.clock import utcnow
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
    # Uses: amounts and dates only, tied to a record that no longer names anyone. Her
    # personal codes stop working: nobody is left to use them.
    await session.execute(
        update(Coupon)
        .where(Coupon.owner_client_id == client.id, Coupon.active)
        .values(active=False, updated_at=utcnow())
    )


_move_uses = clients.reassign(CouponRedemption.client_id)
_move_codes = clients.reassign(Coupon.owner_client_id)


async def _merge(session: AsyncSession, source_id: UUID, target_id: UUID) -> None:
    await _move_uses(session, source_id, target_id)
    await _move_codes(session, source_id, target_id)


clients.declare_client_data(
    "coupons",
    references={"coupon_redemptions.client_id", "coupons.owner_client_id"},
    export=export,
    erase=erase,
    merge=_merge,
)
