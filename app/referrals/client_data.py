"""The referrals domain's client data: her referral codes, the referrals she made and the one
that brought her. Erasure deletes her codes (they spell her first name; nobody can come with
them any more) and keeps the referrals, which name nobody once the record is anonymised (the
salon's figures stay true). A merge moves everything to the kept record; when both records
came with a code, the kept record's referral is the one that counts."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.referrals.models import Referral, ReferralCode


def _row(referral: Referral, role: str) -> dict[str, Any]:
    return {
        "role": role,
        "code": referral.code,
        "status": referral.status,
        "signed_up_at": referral.signed_up_at,
        "paid_at": referral.paid_at,
        "rewarded_at": referral.rewarded_at,
        "reversed_at": referral.reversed_at,
    }


async def export(session: AsyncSession, client: clients.ClientIdentity) -> dict[str, Any]:
    codes = await session.scalars(
        select(ReferralCode.code)
        .where(ReferralCode.client_id == client.id)
        .order_by(ReferralCode.created_at)
    )
    made = await session.scalars(
        select(Referral)
        .where(Referral.referrer_client_id == client.id)
        .order_by(Referral.created_at)
    )
    came = await session.scalars(select(Referral).where(Referral.friend_client_id == client.id))
    return {
        "referral_codes": list(codes),
        # The friends she referred appear by their progress only: their data is theirs.
        "referrals": [_row(r, "referrer") for r in made] + [_row(r, "friend") for r in came],
    }


async def erase(session: AsyncSession, client: clients.ClientIdentity) -> None:
    await session.execute(delete(ReferralCode).where(ReferralCode.client_id == client.id))
    # The code her friends came with spelled her first name.
    await session.execute(
        update(Referral).where(Referral.referrer_client_id == client.id).values(code="")
    )


async def _merge(session: AsyncSession, source_id: UUID, target_id: UUID) -> None:
    target_has_primary = exists().where(
        ReferralCode.client_id == target_id, ReferralCode.is_primary
    )
    await session.execute(
        update(ReferralCode)
        .where(ReferralCode.client_id == source_id, target_has_primary)
        .values(is_primary=False)
    )
    await session.execute(
        update(ReferralCode).where(ReferralCode.client_id == source_id).values(client_id=target_id)
    )
    target_referred = exists().where(
        Referral.friend_client_id == target_id, Referral.merged.is_(False)
    )
    await session.execute(
        update(Referral)
        .where(Referral.friend_client_id == source_id, target_referred)
        .values(merged=True)
    )
    for column in (Referral.friend_client_id, Referral.referrer_client_id):
        await clients.reassign(column)(session, source_id, target_id)


clients.declare_client_data(
    "referrals",
    references={
        "referral_codes.client_id",
        "referrals.referrer_client_id",
        "referrals.friend_client_id",
    },
    export=export,
    erase=erase,
    merge=_merge,
)
