from __future__ import annotations

from decimal import Decimal
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.auth.public import ClientIp, DbSession, FrontDesk, Manager, MaybeUser, limit_visitor
from app.bookings import public as bookings
from app.clients import public as clients
from app.core.clock import utcnow
from app.core.errors import Conflict, NotFound, RateLimited, error_responses
from app.core.ids import new_id
from app.core.pagination import Page, Pagination, paginate
from app.core.timeutils import AwareInstant, SalonDateTime
from app.coupons import flows, service
from app.coupons.dependencies import CouponForStaff
from app.coupons.models import Coupon, CouponRedemption, UseState

router = APIRouter(tags=["coupons"])


class CouponFields(BaseModel):
    description: str | None = Field(default=None, max_length=500)
    kind: Literal["percent", "fixed"]
    percent: Decimal | None = Field(default=None, gt=0, le=100, decimal_places=2)
    amount_cents: int | None = Field(default=None, gt=0, le=10_000_000)
    starts_at: AwareInstant | None = None
    ends_at: AwareInstant | None = None
    max_uses: int | None = Field(default=None, gt=0)
    max_uses_per_client: int | None = Field(default=None, gt=0)
    eligibility: Literal["everyone", "new_clients", "existing_clients"] = "everyone"
    min_amount_cents: int = Field(default=0, ge=0, le=10_000_000)
    first_purchase_only: bool = False
    service_ids: list[UUID] = Field(default_factory=list, max_length=200)
    product_ids: list[UUID] = Field(default_factory=list, max_length=200)
    plan_ids: list[UUID] = Field(default_factory=list, max_length=200)
    active: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> CouponFields:
        if (self.kind == "percent") != (self.percent is not None):
            raise ValueError("a `percent` code has `percent`, a `fixed` one `amount_cents`")
        if (self.kind == "fixed") != (self.amount_cents is not None):
            raise ValueError("a `percent` code has `percent`, a `fixed` one `amount_cents`")
        if self.starts_at and self.ends_at and self.starts_at >= self.ends_at:
            raise ValueError("`starts_at` must come before `ends_at`")
        return self


class CouponIn(CouponFields):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "code": "BIENVENUE10",
                "kind": "percent",
                "percent": "10",
                "eligibility": "new_clients",
                "max_uses_per_client": 1,
            }
        }
    )

    code: str = Field(min_length=3, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")


class CouponOut(CouponFields):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    code: str
    starts_at: SalonDateTime | None = None
    ends_at: SalonDateTime | None = None
    created_at: SalonDateTime


class LineIn(BaseModel):
    kind: Literal["service", "product", "plan"]
    id: UUID
    amount_cents: int = Field(ge=0, le=10_000_000)


class ValidateIn(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    lines: list[LineIn] = Field(min_length=1, max_length=50)
    client_id: UUID | None = Field(default=None, description="Staff only; clients are known")


class VerdictOut(BaseModel):
    valid: bool
    code: str
    reason_code: str | None
    reason: str | None
    amount_cents: int
    discount_cents: int
    amount_after_cents: int


class RedeemIn(ValidateIn):
    subject_kind: Literal["booking", "order", "gift_card", "subscription"]
    subject_id: UUID


class RedemptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    coupon_id: UUID
    client_id: UUID | None
    subject_kind: str
    subject_id: UUID
    amount_before_cents: int
    discount_cents: int
    amount_after_cents: int
    redeemed_by_user_id: UUID | None
    at: SalonDateTime
    state: str = Field(default=UseState.used, description="held, used or released")


class StatsOut(BaseModel):
    uses: int = Field(description="Paid or confirmed uses")
    held: int = Field(default=0, description="Uses on bookings waiting for their deposit")
    clients: int
    discount_cents: int
    amount_after_cents: int
    uses_left: int | None
    last_used_at: SalonDateTime | None


def _lines(body: ValidateIn) -> list[service.Line]:
    return [service.Line(line.kind, line.id, line.amount_cents) for line in body.lines]


async def _client_of(session: DbSession, principal: MaybeUser, body: ValidateIn) -> UUID | None:
    if principal is not None and principal.is_staff:
        return body.client_id
    if principal is not None:
        own = await clients.client_for_user(session, principal.user_id)
        return own.id if own else None
    return None


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
    client_id = await _client_of(session, principal, body)
    verdict = await service.evaluate(session, body.code, lines=_lines(body), client_id=client_id)
    return VerdictOut(
        valid=verdict.valid,
        code=service.normalize(body.code),
        reason_code=verdict.reason_code,
        reason=verdict.reason,
        amount_cents=verdict.amount_cents,
        discount_cents=verdict.discount_cents,
        amount_after_cents=verdict.amount_cents - verdict.discount_cents,
    )


@router.post(
    "/api/v1/coupons/redeem",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        service.CouponRefused,
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
    if body.subject_kind == "booking":
        priced = await flows.apply_to_booking(session, body.subject_id, body.code, principal=staff)
        return RedemptionOut.model_validate(priced.redemption)
    redemption = await service.redeem(
        session,
        body.code,
        lines=_lines(body),
        client_id=body.client_id,
        subject_kind=body.subject_kind,
        subject_id=body.subject_id,
        actor_user_id=staff.user_id,
    )
    return RedemptionOut.model_validate(redemption)


@router.post(
    "/api/v1/coupons", status_code=status.HTTP_201_CREATED, responses=error_responses(Conflict)
)
async def create_coupon(body: CouponIn, _: Manager, session: DbSession) -> CouponOut:
    now = utcnow()
    coupon = Coupon(
        id=new_id(),
        created_at=now,
        updated_at=now,
        **body.model_dump(exclude={"code"}),
        code=service.normalize(body.code),
    )
    session.add(coupon)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict("A code with this name exists.") from exc
    return CouponOut.model_validate(coupon)


@router.get("/api/v1/coupons")
async def list_coupons(
    _: FrontDesk, session: DbSession, page: Pagination, active: bool | None = None
) -> Page[CouponOut]:
    statement = select(Coupon)
    if active is not None:
        statement = statement.where(Coupon.active.is_(active))
    return await paginate(
        session,
        statement,
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
    _: Manager, coupon: CouponForStaff, body: CouponFields, session: DbSession
) -> CouponOut:
    """Change a code's terms (every field); past uses keep what they were given."""
    for key, value in body.model_dump().items():
        setattr(coupon, key, value)
    coupon.updated_at = utcnow()
    await session.flush()
    return CouponOut.model_validate(coupon)


@router.get("/api/v1/coupons/{coupon_id}/stats", responses=error_responses(NotFound))
async def coupon_stats(coupon: CouponForStaff, session: DbSession) -> StatsOut:
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
            ).where(CouponRedemption.coupon_id == coupon.id)
        )
    ).one()
    return StatsOut(
        uses=uses,
        held=held,
        clients=people,
        discount_cents=int(discount),
        amount_after_cents=int(after),
        uses_left=None if coupon.max_uses is None else max(coupon.max_uses - uses - held, 0),
        last_used_at=last,
    )


@router.get("/api/v1/coupons/{coupon_id}/redemptions", responses=error_responses(NotFound))
async def coupon_redemptions(
    coupon: CouponForStaff, session: DbSession, page: Pagination
) -> Page[RedemptionOut]:
    return await paginate(
        session,
        select(CouponRedemption).where(CouponRedemption.coupon_id == coupon.id),
        order_by=(CouponRedemption.at, CouponRedemption.id),
        params=page,
        descending=True,
        to_item=RedemptionOut.model_validate,
    )


class BookingCouponIn(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    token: str | None = Field(
        default=None, max_length=1000, description="The booking's `manage_token` (no account)"
    )


class BookingPriceOut(BaseModel):
    booking_id: UUID
    total_cents: int
    discount_cents: int
    deposit_cents: int
    redemption: RedemptionOut


@router.post(
    "/api/v1/bookings/{booking_id}/coupon",
    responses=error_responses(
        service.CouponRefused, bookings.DiscountNotAllowed, bookings.BookingNotFound
    ),
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
    return BookingPriceOut(
        booking_id=priced.booking.id,
        total_cents=priced.booking.total_cents,
        discount_cents=priced.booking.discount_cents,
        deposit_cents=priced.booking.deposit_cents,
        redemption=RedemptionOut.model_validate(priced.redemption),
    )
