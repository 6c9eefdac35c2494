from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from app.auth.public import ClientIp, DbSession, FrontDesk, Manager, MaybeUser, limit_visitor
from app.bookings import public as bookings
from app.clients import public as clients
from app.core.errors import Conflict, NotFound, RateLimited, error_responses
from app.core.pagination import Page, Pagination, paginate
from app.coupons import flows, repository, service
from app.coupons.dependencies import CouponForStaff
from app.coupons.errors import CouponRefused
from app.coupons.models import Coupon, CouponRedemption
from app.coupons.schemas import (
    BookingCouponIn,
    BookingPriceOut,
    CouponFields,
    CouponIn,
    CouponOut,
    RedeemIn,
    RedemptionOut,
    StatsOut,
    ValidateIn,
    VerdictOut,
)

router = APIRouter(tags=["coupons"])


@router.post(
    "/api/v1/coupons/validate", responses=error_responses(RateLimited, clients.ClientNotFound)
)
async def validate_code(
    body: ValidateIn, principal: MaybeUser, ip: ClientIp, session: DbSession
) -> VerdictOut:
    """Whether a code applies to a basket, and why not when it does not (`reason_code`:
    unknown_code, not_started, expired, below_minimum, not_applicable, used_up,
    sign_in_required, already_used, new_clients_only, existing_clients_only,
    first_purchase_only). Nothing is used up here."""
    await limit_visitor("coupon_validation", principal, ip)
    verdict = await flows.check_basket(
        session,
        body.code,
        lines=body.service_lines(),
        principal=principal,
        client_id=body.client_id,
    )
    return VerdictOut.of(body.code, verdict)


@router.post(
    "/api/v1/coupons/redeem",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        CouponRefused,
        bookings.DiscountNotAllowed,
        bookings.BookingNotFound,
        clients.ClientNotFound,
    ),
)
async def redeem_code(body: RedeemIn, staff: FrontDesk, session: DbSession) -> RedemptionOut:
    """Use a code at checkout: recorded once per order, booking or plan; its limits hold
    when several checkouts use it at once. For a booking this is `POST
    /bookings/{id}/coupon`: the booking's own services and client count (not `lines` nor
    `client_id`), and its total, deposit and balance drop."""
    redemption = await flows.redeem_at_desk(
        session,
        body.code,
        subject_kind=body.subject_kind,
        subject_id=body.subject_id,
        lines=body.service_lines(),
        client_id=body.client_id,
        staff=staff,
    )
    return RedemptionOut.model_validate(redemption)


@router.post(
    "/api/v1/coupons", status_code=status.HTTP_201_CREATED, responses=error_responses(Conflict)
)
async def create_coupon(body: CouponIn, staff: Manager, session: DbSession) -> CouponOut:
    coupon = await service.create_coupon(
        session, body.model_dump(exclude={"code"}), code=body.code, actor_user_id=staff.user_id
    )
    return CouponOut.model_validate(coupon)


@router.get("/api/v1/coupons")
async def list_coupons(
    _: FrontDesk, session: DbSession, page: Pagination, active: bool | None = None
) -> Page[CouponOut]:
    return await paginate(
        session,
        repository.coupons(active=active),
        order_by=(Coupon.created_at, Coupon.id),
        params=page,
        descending=True,
        to_item=CouponOut.model_validate,
    )


@router.get("/api/v1/coupons/{coupon_id}", responses=error_responses(NotFound))
async def get_coupon(coupon: CouponForStaff) -> CouponOut:
    return CouponOut.model_validate(coupon)


@router.put("/api/v1/coupons/{coupon_id}", responses=error_responses(NotFound))
async def update_coupon(
    staff: Manager, coupon: CouponForStaff, body: CouponFields, session: DbSession
) -> CouponOut:
    """Change a code's terms (every field); past uses keep what they were given."""
    await service.update_coupon(session, coupon, body.model_dump(), actor_user_id=staff.user_id)
    return CouponOut.model_validate(coupon)


@router.get("/api/v1/coupons/{coupon_id}/stats", responses=error_responses(NotFound))
async def coupon_stats(coupon: CouponForStaff, session: DbSession) -> StatsOut:
    return StatsOut.of(await service.stats(session, coupon))


@router.get("/api/v1/coupons/{coupon_id}/redemptions", responses=error_responses(NotFound))
async def coupon_redemptions(
    coupon: CouponForStaff, session: DbSession, page: Pagination
) -> Page[RedemptionOut]:
    return await paginate(
        session,
        repository.uses_of(coupon.id),
        order_by=(CouponRedemption.at, CouponRedemption.id),
        params=page,
        descending=True,
        to_item=RedemptionOut.model_validate,
    )


@router.post(
    "/api/v1/bookings/{booking_id}/coupon",
    responses=error_responses(CouponRefused, bookings.DiscountNotAllowed, bookings.BookingNotFound),
    dependencies=[bookings.BookingPayer],
)
async def apply_to_booking(
    booking_id: UUID, body: BookingCouponIn, principal: MaybeUser, session: DbSession
) -> BookingPriceOut:
    """Use a promo code on a booking before anything is paid (the site's checkout, or staff):
    its discount comes off the services it covers, and the deposit follows."""
    priced = await flows.apply_to_booking(
        session, booking_id, body.code, principal=principal, token=body.token
    )
    return BookingPriceOut.of(priced)
