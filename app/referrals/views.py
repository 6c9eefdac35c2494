"""What the client, the front desk and the manager read of referrals."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.coupons import public as coupons
from app.referrals import flows, repository, service
from app.referrals.models import Referral, ReferralChannel
from app.referrals.schemas import (
    ClaimOut,
    ClientReferralsOut,
    ConversionRates,
    InvitationOut,
    MyReferralsOut,
    PersonalCodeOut,
    ReferralOut,
    ReferredByOut,
    StatsOut,
)


async def _own_client(session: AsyncSession, user_id: UUID) -> clients.ClientRef:
    ref = await clients.client_for_user(session, user_id)
    if ref is None:
        raise clients.NoClientRecord()
    return ref


async def _personal(session: AsyncSession, coupon_id: UUID | None) -> PersonalCodeOut | None:
    if coupon_id is None:
        return None
    issued = await coupons.personal_code(session, coupon_id)
    state = await coupons.personal_code_state(session, coupon_id)
    return PersonalCodeOut(code=issued.code, state=state, ends_at=issued.ends_at)


async def my_referrals(session: AsyncSession, user_id: UUID) -> MyReferralsOut:
    """Her code and link, the friends who came with it (first names only) and her rewards,
    and who referred her."""
    me = await _own_client(session, user_id)
    code = await service.code_for(session, me.id, me.first_name)
    rows = list(
        await session.scalars(
            repository.referrals(referrer_id=me.id)
            .where(Referral.merged.is_(False))
            .order_by(Referral.signed_up_at.desc())
        )
    )
    friends = await clients.get_clients(session, {r.friend_client_id for r in rows})
    invitations = [
        InvitationOut(
            friend_first_name=friends[r.friend_client_id].first_name,
            status=r.status,
            signed_up_at=r.signed_up_at,
            booked_at=r.booked_at,
            paid_at=r.paid_at,
            rewarded_at=r.rewarded_at,
            reward=await _personal(session, r.reward_coupon_id),
        )
        for r in rows
    ]
    mine = await repository.referral_of_friend(session, me.id)
    referred_by = None
    if mine is not None:
        referrer = await clients.get_client(session, mine.referrer_client_id)
        referred_by = ReferredByOut(
            referrer_first_name=referrer.first_name,
            status=mine.status,
            welcome=await _personal(session, mine.welcome_coupon_id),
        )
    return MyReferralsOut(
        code=code.code,
        link=service.link_of(code.code),
        invitations=invitations,
        rewards_earned=sum(1 for r in rows if r.rewarded_at is not None),
        referred_by=referred_by,
    )


async def claim_for_user(session: AsyncSession, user_id: UUID, code: str) -> ClaimOut:
    """A signed-in client enters a friend's code."""
    me = await _own_client(session, user_id)
    referral = await flows.claim(session, friend_id=me.id, code=code, channel=ReferralChannel.claim)
    referrer = await clients.get_client(session, referral.referrer_client_id)
    return ClaimOut(
        status=referral.status,
        referrer_first_name=referrer.first_name,
        welcome=await _personal(session, referral.welcome_coupon_id),
    )


async def client_referrals(session: AsyncSession, client_id: UUID) -> ClientReferralsOut:
    """A client's referrals as the front desk sees them (ClientNotFound for no client); her
    code once she has asked for one (a staff read makes none: an erased record gets none)."""
    client = await clients.get_client(session, client_id)
    code = await repository.primary_code(session, client.id)  # made when she first asks
    rows = await session.scalars(
        select(Referral)
        .where(Referral.referrer_client_id == client.id)
        .order_by(Referral.signed_up_at.desc())
    )
    mine = await repository.referral_of_friend(session, client.id)
    return ClientReferralsOut(
        client_id=client.id,
        code=None if code is None else code.code,
        link=None if code is None else service.link_of(code.code),
        referred=[ReferralOut.model_validate(r) for r in rows],
        referred_by=None if mine is None else ReferralOut.model_validate(mine),
    )


def _rate(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


async def stats(session: AsyncSession, date_from: date | None, date_to: date | None) -> StatsOut:
    f = await service.funnel(session, date_from, date_to)
    return StatsOut(
        date_from=date_from,
        date_to=date_to,
        signed_up=f.signed_up,
        refused_at_claim=f.refused_at_claim,
        booked=f.booked,
        paid=f.paid,
        rewarded=f.rewarded,
        refused=f.refused,
        reversed=f.reversed,
        conversion=ConversionRates(
            booked=_rate(f.booked, f.signed_up - f.refused_at_claim),
            paid=_rate(f.paid, f.booked),
            rewarded=_rate(f.rewarded, f.paid),
            overall=_rate(f.rewarded, f.signed_up),
        ),
        welcome_codes=f.welcome_codes,
        welcome_value_cents=f.welcome_value_cents,
        rewards=f.rewards,
        rewards_value_cents=f.rewards_value_cents,
        rewards_lost=f.rewards_lost,
        revenue_cents=f.revenue_cents,
    )
