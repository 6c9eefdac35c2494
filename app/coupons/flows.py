"""A promo code on a booking, across the coupons and bookings domains: one use case, whether
the site's checkout (`POST /bookings/{id}/coupon`) or the desk (`POST /coupons/redeem` with
`subject_kind: booking`) applies it. The code is used, the booking's total and deposit drop,
and what is due follows."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.public import Principal
from app.bookings import public as bookings
from app.clients import public as clients
from app.coupons import service
from app.coupons.models import CouponRedemption, UseState
from app.payments import public as payments


@dataclass(frozen=True, slots=True)
class PricedBooking:
    booking: bookings.PayableBooking
    redemption: CouponRedemption


async def apply_to_booking(
    session: AsyncSession,
    booking_id: UUID,
    code: str,
    *,
    principal: Principal | None,
    token: str | None = None,
) -> PricedBooking:
    """Use `code` on a booking not yet paid, for its own services and client (what the caller
    sends about lines or client is not trusted here). The same code again answers the same;
    another code, or a booking whose payment has started, is refused. On a held booking the
    use is `held` until the deposit is paid, and given back if the hold dies."""
    await bookings.ensure_may_pay(session, booking_id, principal, token)
    booking = await bookings.payable_booking(session, booking_id, lock=True)
    if booking.discount_cents:
        previous = await service.redemption_for(
            session, subject_kind="booking", subject_id=booking.id, code=code
        )
        if previous is None:
            raise bookings.DiscountNotAllowed("This booking already has a discount.")
        return PricedBooking(booking, previous)
    if await payments.booking_has_payments(session, booking.id):
        raise bookings.DiscountNotAllowed("A payment was already started for this booking.")
    held = booking.status == "pending_payment"
    redemption = await service.redeem(
        session,
        code,
        lines=[service.Line("service", sid, price) for sid, price in booking.service_lines],
        client_id=booking.client_id,
        subject_kind="booking",
        subject_id=booking.id,
        actor_user_id=principal.user_id if principal and principal.is_staff else None,
        state=UseState.held if held else UseState.used,
    )
    priced = await bookings.apply_discount(session, booking.id, redemption.discount_cents)
    return PricedBooking(priced, redemption)


async def check_basket(
    session: AsyncSession,
    code: str,
    *,
    lines: list[service.Line],
    principal: Principal | None,
    client_id: UUID | None,
) -> service.Verdict:
    """Whether `code` applies to a basket for whoever asks: staff name the client (or none),
    a signed-in client is herself, a visitor is nobody."""
    return await service.evaluate(
        session, code, lines=lines, client_id=await _client_of(session, principal, client_id)
    )


async def _client_of(
    session: AsyncSession, principal: Principal | None, named: UUID | None
) -> UUID | None:
    if principal is not None and principal.is_staff:
        return named
    if principal is not None:
        own = await clients.client_for_user(session, principal.user_id)
        return own.id if own else None
    return None


async def redeem_at_desk(
    session: AsyncSession,
    code: str,
    *,
    subject_kind: str,
    subject_id: UUID,
    lines: list[service.Line],
    client_id: UUID | None,
    staff: Principal,
) -> CouponRedemption:
    """Staff use a code for a booking (its own services and client count, as at the site's
    checkout) or for an order or plan (the lines and client they send)."""
    if subject_kind == "booking":
        return (await apply_to_booking(session, subject_id, code, principal=staff)).redemption
    return await service.redeem(
        session,
        code,
        lines=lines,
        client_id=client_id,
        subject_kind=subject_kind,
        subject_id=subject_id,
        actor_user_id=staff.user_id,
    )
