from __future__ import annotations

from decimal import Decimal
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.auth.public import DbSession, FrontDesk, Manager, MaybeUser
from app.bookings import public as bookings
from app.clients import public as clients
from app.core import ratelimit
from app.core.clock import utcnow
from app.core.errors import Conflict, NotFound, error_responses
from app.core.ids import new_id
from app.core.pagination import Page, Pagination, paginate
from app.core.timeutils import AwareInstant, SalonDateTime
from app.coupons import service
from app.coupons.models import Coupon, CouponRedemption
from app.payments import public as payments

router = APIRouter(tags=["coupons"])

VALIDATIONS_PER_IP = 30
VALIDATION_WINDOW_SECONDS = 15 * 60


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


class StatsOut(BaseModel):
    uses: int
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


@router.post("/api/v1/coupons/validate", responses=error_responses(clients.ClientNotFound))
async def validate_code(
    body: ValidateIn, principal: MaybeUser, request: Request, session: DbSession
) -> VerdictOut:
    """Whether a code applies to a basket, and why not when it does not (`reason_code`:
    unknown_code, not_started, expired, below_minimum, not_applicable, used_up,
    sign_in_required, already_used, new_clients_only, existing_clients_only,
    first_purchase_only). Nothing is used up here."""
    ip = request.client.host if request.client else "unknown"
    await ratelimit.enforce(
        f"coupon-validate:{ip}", limit=VALIDATIONS_PER_IP, window_seconds=VALIDATION_WINDOW_SECONDS
    )
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
    responses=error_responses(service.CouponRefused, clients.ClientNotFound),
)
async def redeem_code(body: RedeemIn, staff: FrontDesk, session: DbSession) -> RedemptionOut:
    """Use a code at checkout: recorded once per order, booking or plan; its limits hold
    when several checkouts use it at once."""
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


async def _coupon(session: DbSession, coupon_id: UUID, *, lock: bool = False) -> Coupon:
    statement = select(Coupon).where(Coupon.id == coupon_id)
    coupon = await session.scalar(statement.with_for_update() if lock else statement)
    if coupon is None:
        raise NotFound("This code does not exist.")
    return coupon


@router.get("/api/v1/coupons/{coupon_id}", responses=error_responses(NotFound))
async def get_coupon(coupon_id: UUID, _: FrontDesk, session: DbSession) -> CouponOut:
    return CouponOut.model_validate(await _coupon(session, coupon_id))


@router.put("/api/v1/coupons/{coupon_id}", responses=error_responses(NotFound))
async def update_coupon(
    coupon_id: UUID, body: CouponFields, _: Manager, session: DbSession
) -> CouponOut:
    """Change a code's terms (every field); past uses keep what they were given."""
    coupon = await _coupon(session, coupon_id, lock=True)
    for key, value in body.model_dump().items():
        setattr(coupon, key, value)
    coupon.updated_at = utcnow()
    await session.flush()
    return CouponOut.model_validate(coupon)


@router.get("/api/v1/coupons/{coupon_id}/stats", responses=error_responses(NotFound))
async def coupon_stats(coupon_id: UUID, _: FrontDesk, session: DbSession) -> StatsOut:
    coupon = await _coupon(session, coupon_id)
    uses, people, discount, after, last = (
        await session.execute(
            select(
                func.count(),
                func.count(func.distinct(CouponRedemption.client_id)),
                func.coalesce(func.sum(CouponRedemption.discount_cents), 0),
                func.coalesce(func.sum(CouponRedemption.amount_after_cents), 0),
                func.max(CouponRedemption.at),
            ).where(CouponRedemption.coupon_id == coupon.id)
        )
    ).one()
    return StatsOut(
        uses=uses,
        clients=people,
        discount_cents=int(discount),
        amount_after_cents=int(after),
        uses_left=None if coupon.max_uses is None else max(coupon.max_uses - uses, 0),
        last_used_at=last,
    )


@router.get("/api/v1/coupons/{coupon_id}/redemptions", responses=error_responses(NotFound))
async def coupon_redemptions(
    coupon_id: UUID, _: FrontDesk, session: DbSession, page: Pagination
) -> Page[RedemptionOut]:
    await _coupon(session, coupon_id)
    return await paginate(
        session,
        select(CouponRedemption).where(CouponRedemption.coupon_id == coupon_id),
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
    responses=error_responses(service.CouponRefused, bookings.DiscountNotAllowed, NotFound),
)
async def apply_to_booking(
    booking_id: UUID, body: BookingCouponIn, principal: MaybeUser, session: DbSession
) -> BookingPriceOut:
    """Use a promo code on a booking before anything is paid (the site's checkout, or staff):
    its discount comes off the services it covers, and the deposit follows."""
    booking = await bookings.payable_booking(session, booking_id, lock=True)
    staff = principal is not None and principal.is_staff
    allowed = staff or (
        body.token is not None and bookings.booking_from_manage_token(body.token) == booking.id
    )
    if not allowed and principal is not None:
        own = await clients.client_for_user(session, principal.user_id)
        allowed = own is not None and own.id == booking.client_id
    if not allowed:
        raise bookings.BookingNotFound()
    if booking.discount_cents:
        # Applied before: the same code again gets the same answer, another code is refused.
        previous = await session.scalar(
            select(CouponRedemption)
            .join(Coupon, Coupon.id == CouponRedemption.coupon_id)
            .where(
                CouponRedemption.subject_kind == "booking",
                CouponRedemption.subject_id == booking.id,
                Coupon.code == service.normalize(body.code),
            )
        )
        if previous is None:
            raise bookings.DiscountNotAllowed("This booking already has a discount.")
        return BookingPriceOut(
            booking_id=booking.id,
            total_cents=booking.total_cents,
            discount_cents=booking.discount_cents,
            deposit_cents=booking.deposit_cents,
            redemption=RedemptionOut.model_validate(previous),
        )
    if await payments.booking_has_payments(session, booking.id):
        raise bookings.DiscountNotAllowed("A payment was already started for this booking.")
    redemption = await service.redeem(
        session,
        body.code,
        lines=[service.Line("service", sid, price) for sid, price in booking.service_lines],
        client_id=booking.client_id,
        subject_kind="booking",
        subject_id=booking.id,
        actor_user_id=principal.user_id if staff and principal else None,
    )
    priced = await bookings.apply_discount(session, booking.id, redemption.discount_cents)
    return BookingPriceOut(
        booking_id=priced.id,
        total_cents=priced.total_cents,
        discount_cents=priced.discount_cents,
        deposit_cents=priced.deposit_cents,
        redemption=RedemptionOut.model_validate(redemption),
    )
