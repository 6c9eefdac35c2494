from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from app.auth.public import ClientSelf, DbSession, FrontDesk, Manager
from app.clients import public as clients
from app.core.errors import error_responses
from app.core.pagination import Page, Pagination, paginate
from app.core.timeutils import SalonDate
from app.referrals import repository, views
from app.referrals.errors import AlreadyReferred, UnknownReferralCode
from app.referrals.models import Referral, ReferralStatus
from app.referrals.schemas import (
    ClaimIn,
    ClaimOut,
    ClientReferralsOut,
    MyReferralsOut,
    ReferralOut,
    StatsOut,
)

router = APIRouter(tags=["referrals"])


@router.get("/api/v1/me/referrals", responses=error_responses(clients.NoClientRecord))
async def my_referrals(principal: ClientSelf, session: DbSession) -> MyReferralsOut:
    """Her referral code and the link to share, the friends who came with it (first names)
    and their progress, her rewards, and who referred her (with her welcome code)."""
    return await views.my_referrals(session, principal.user_id)


@router.post(
    "/api/v1/referrals/claim",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(clients.NoClientRecord, UnknownReferralCode, AlreadyReferred),
)
async def claim_referral(body: ClaimIn, principal: ClientSelf, session: DbSession) -> ClaimOut:
    """A signed-in client enters a friend's code, once. A new client gets her welcome code
    (e-mailed too); otherwise the answer says `refused` and staff see why."""
    return await views.claim_for_user(session, principal.user_id, body.code)


@router.get("/api/v1/referrals")
async def list_referrals(
    _: FrontDesk,
    session: DbSession,
    page: Pagination,
    status_filter: Annotated[ReferralStatus | None, Query(alias="status")] = None,
    referrer_client_id: UUID | None = None,
) -> Page[ReferralOut]:
    """Referrals, newest first; `status=refused` lists the refused ones with their
    `reason_code`."""
    return await paginate(
        session,
        repository.referrals(status=status_filter, referrer_id=referrer_client_id),
        order_by=(Referral.created_at, Referral.id),
        params=page,
        descending=True,
        to_item=ReferralOut.model_validate,
    )


@router.get("/api/v1/referrals/stats")
async def referral_stats(
    _: Manager,
    session: DbSession,
    date_from: SalonDate | None = None,
    date_to: SalonDate | None = None,
) -> StatsOut:
    """The friends who came with a code between the two dates (salon time, both included)
    and what became of them: each step, its conversion rate, the rewards and their value,
    and what those friends have spent since."""
    return await views.stats(session, date_from, date_to)


@router.get(
    "/api/v1/clients/{client_id}/referrals",
    responses=error_responses(clients.ClientNotFound),
)
async def client_referrals(client_id: UUID, _: FrontDesk, session: DbSession) -> ClientReferralsOut:
    """A client's code and link, the friends she referred, and who referred her."""
    return await views.client_referrals(session, client_id)
