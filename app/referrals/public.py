"""What other domains may use from referrals: check a code before anything is written, and
record that a new client came with it (the booking form of the site)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.referrals import flows, service
from app.referrals.errors import AlreadyReferred, UnknownReferralCode
from app.referrals.models import ReferralChannel

__all__ = [
    "AlreadyReferred",
    "ReferralClaim",
    "UnknownReferralCode",
    "check_code",
    "claim_on_booking",
    "claim_on_signup",
]


@dataclass(frozen=True, slots=True)
class ReferralClaim:
    referral_id: UUID
    status: str  # pending (her welcome code was issued) or refused


async def check_code(session: AsyncSession, code: str) -> str:
    """The code as stored, or `UnknownReferralCode` (422): checked before a booking is made,
    so a typo changes nothing."""
    return (await service.referrer_of(session, code)).code


async def claim_on_booking(
    session: AsyncSession, *, client_id: UUID, code: str, booking_id: UUID
) -> ReferralClaim:
    """The booking's client came with `code`: her referral, recorded once (booking again
    with it answers the same)."""
    referral = await flows.claim(
        session,
        friend_id=client_id,
        code=code,
        channel=ReferralChannel.booking,
        booking_id=booking_id,
    )
    return ReferralClaim(referral.id, referral.status)


async def claim_on_signup(session: AsyncSession, *, user_id: UUID, code: str) -> ReferralClaim:
    """A new account signed up from a friend's link: her referral, as a claim."""
    me = await clients.client_for_user(session, user_id)
    if me is None:
        raise clients.NoClientRecord()
    referral = await flows.claim(
        session, friend_id=me.id, code=code, channel=ReferralChannel.signup
    )
    return ReferralClaim(referral.id, referral.status)
