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
