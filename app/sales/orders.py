"""Orders at the desk: a booking's services (with what was paid for it online), walk-in
services and products by id or barcode, with their discounts. Prices come from the catalog
(or the booking), never from the request; a manual discount has a reason and, for a
receptionist, a limit (SALES_RECEPTIONIST_DISCOUNT_PERCENT)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.public import Principal, Role
from app.bookings import public as bookings
from app.catalog import public as catalog
from app.clients import public as clients
from app.core import member_discounts
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.errors import ValidationFailed
from app.core.ids import new_id
from app.core.money import percent_of
from app.coupons import public as coupons
from app.packages import public as packages
from app.payments import public as payments
from app.practitioners import public as practitioners
from app.sales import pricing, repository
from app.sales.errors import (
    ClientMismatch,
    DiscountAboveLimit,
    DiscountTooLarge,
    NotInTraining,
    OrderHasPayments,
    OrderNotFound,
    OrderNotOpen,
    PaymentInProgress,
    ProductNotSold,
    RegisterNotFound,
    RegisterNotOpen,
    RegisterRequired,
    ServiceNotSold,
)
from app.sales.models import LineKind, Order, OrderLine, OrderStatus, OrderTender

TRAVEL_FEE_LABEL = "Frais de déplacement"
PROMO_REASON = "Code promo"
DEPOSIT = "deposit"  # the journal's tender method for what was paid before the visit


@dataclass(frozen=True, slots=True)
class LineAsked:
    kind: LineKind
    service_id: UUID | None = None
    product_id: UUID | None = None
    barcode: str | None = None
    quantity: int = 1
    practitioner_id: UUID | None = None
    discount_cents: int = 0
    discount_reason: str | None = None
    package_offer_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class OrderAsked:
    register_id: UUID | None
    booking_id: UUID | None
    client_id: UUID | None
    lines: Sequence[LineAsked]
    training: bool = False
    discount_cents: int = 0
    discount_reason: str | None = None
    promo_code: str | None = None
    print_client_name: bool = True


@dataclass(slots=True)
class _Draft:
    """A line being priced: what it is, its price and the discounts on it so far."""

    kind: LineKind
    item_id: UUID | None
    label: str
    quantity: int
    unit_price_cents: int
    vat_rate: Decimal
    practitioner_id: UUID | None
    from_booking: bool = False
    discounts: list[tuple[int, str]] = field(default_factory=list)

    @property
    def amount_cents(self) -> int:
        return self.quantity * self.unit_price_cents - sum(d for d, _ in self.discounts)


async def get_order(session: AsyncSession, order_id: UUID, *, lock: bool = False) -> Order:
    order = await repository.get_order(session, order_id, lock=lock)
    if order is None:
        raise OrderNotFound()
    return order


async def till_of(session: AsyncSession, register_id: UUID | None) -> UUID:
    """The order's till: the one named (it must be open), or the only open one."""
    open_ids = await repository.open_registers(session)
    if register_id is None:
        if len(open_ids) != 1:
            raise RegisterRequired(
                "Several tills are open: name one." if open_ids else "No till is open."
            )
        return open_ids[0]
    if await repository.get_register(session, register_id) is None:
        raise RegisterNotFound()
    if register_id not in open_ids:
        raise RegisterNotOpen()
    return register_id


def _check_discount(actor: Principal, discount_cents: int, base_cents: int, what: str) -> None:
    if discount_cents > base_cents:
        raise DiscountTooLarge(f"The discount is larger than the {what} it discounts.")
    if actor.has_role(Role.owner, Role.manager):
        return
    percent = get_settings().sales.receptionist_discount_percent
    limit = percent_of(base_cents, Decimal(percent))
    if discount_cents > limit:
        raise DiscountAboveLimit(
            f"A receptionist may take up to {percent} % off a {what}.",
            extra={"limit_cents": limit, "limit_percent": percent},
        )


COVERED_LABELS = {"package": "séance de forfait"}


def _covered_label(name: str, covered_by: str | None) -> str:
    if covered_by is None:
        return name
    return f"{name} — {COVERED_LABELS.get(covered_by, 'prépayé')}"[:200]


async def _booking_lines(
    session: AsyncSession, booking: bookings.TillBooking
) -> tuple[list[_Draft], list[payments.KeptPayment]]:
    """The booking's services at the price it was booked (its promo code's discount spread
    over them), its travel fee, and what was paid for it before the visit."""
    names = await catalog.service_names(session, {s.service_id for s in booking.services})
    drafts = [
        _Draft(
            LineKind.service,
            s.service_id,
            _covered_label(names.get(s.service_id, "Prestation"), s.covered_by),
            1,
            0 if s.covered_by else s.price_cents,  # paid in advance: its own sale took it
            s.vat_rate,
            s.practitioner_id,
            from_booking=True,
        )
        for s in booking.services
    ]
    if booking.travel_fee_cents:
        rate = booking.services[0].vat_rate if booking.services else Decimal("20.00")
        fee = _Draft(
            LineKind.fee, None, TRAVEL_FEE_LABEL, 1, booking.travel_fee_cents, rate, None, True
        )
        drafts.append(fee)
    shares = pricing.spread(booking.discount_cents, [d.amount_cents for d in drafts])
    for draft, share in zip(drafts, shares, strict=True):
        if share:
            draft.discounts.append((share, PROMO_REASON))
    balance = await payments.balance(session, "booking", booking.id)
    if balance.in_progress_cents:
        raise PaymentInProgress("A payment of this booking is on the card reader.")
    return drafts, await payments.kept_payments(session, "booking", booking.id)


async def _asked_line(session: AsyncSession, asked: LineAsked) -> _Draft:
    if asked.kind is LineKind.package and asked.package_offer_id is not None:
        offer = await packages.offer_for_till(session, asked.package_offer_id)
        return _Draft(
            LineKind.package,
            offer.id,
            offer.label,
            asked.quantity,
            offer.price_cents,
            offer.vat_rate,
            None,
        )
    if asked.kind is LineKind.service:
        specs = await catalog.get_service_specs(
            session, [asked.service_id] if asked.service_id else []
        )
        spec = specs.get(asked.service_id) if asked.service_id else None
        if spec is None or not spec.is_active:
            raise ServiceNotSold(extra={"service_id": str(asked.service_id)})
        return _Draft(
            LineKind.service,
            spec.id,
            spec.name,
            asked.quantity,
            spec.price_cents,
            spec.vat_rate,
            asked.practitioner_id,
        )
    if asked.product_id is not None:
        product = (await catalog.product_refs(session, [asked.product_id])).get(asked.product_id)
    else:
        product = await catalog.product_by_barcode(session, asked.barcode or "")
    if product is None or not product.is_active:
        raise ProductNotSold(extra={"product_id": str(asked.product_id), "barcode": asked.barcode})
    label = f"{product.brand} — {product.name}" if product.brand else product.name
    return _Draft(
        LineKind.product,
        product.id,
        label[:200],
        asked.quantity,
        product.price_cents,
        product.vat_rate,
        asked.practitioner_id,
    )


async def _check_practitioners(session: AsyncSession, drafts: Sequence[_Draft]) -> None:
    wanted = {d.practitioner_id for d in drafts if d.practitioner_id is not None}
    unknown = wanted - await practitioners.existing_practitioner_ids(session, wanted)
    if unknown:
        raise ValidationFailed(
            "No practitioner has this id.", extra={"practitioner_ids": sorted(map(str, unknown))}
        )


async def _promo(
    session: AsyncSession, order: Order, drafts: list[_Draft], code: str, actor: Principal
) -> None:
    """A promo code's discount, spread over the lines it covers (each line checked alone;
    when none qualifies alone, e.g. a minimum spend, over every line)."""
    basket = [_coupon_line(d) for d in drafts]
    use = await coupons.use_code(
        session,
        code,
        lines=basket,
        client_id=order.client_id,
        subject_kind="order",
        subject_id=order.id,
        actor_user_id=actor.user_id,
        hold=True,  # used when the order is completed, released if it is abandoned
    )
    covered = []
    for line in basket:
        alone = await coupons.check_code(session, code, lines=[line], client_id=order.client_id)
        covered.append(alone.valid and alone.discount_cents > 0)
    if not any(covered):
        covered = [True] * len(drafts)
    amounts = [d.amount_cents if c else 0 for d, c in zip(drafts, covered, strict=True)]
    for draft, share in zip(drafts, pricing.spread(use.discount_cents, amounts), strict=True):
        if share:
            draft.discounts.append((share, PROMO_REASON))
    order.promo_code = "".join(code.split()).upper()[:64]


def _coupon_line(draft: _Draft) -> coupons.Line:
    kind = "service" if draft.kind is not LineKind.product else "product"
    return coupons.Line(kind, draft.item_id or new_id(), draft.amount_cents)


async def _member_discount(session: AsyncSession, client_id: UUID, drafts: list[_Draft]) -> None:
    """A member's standing discount (a membership's), on each product or service line, as
    a line discount with its reason (app/core/member_discounts.py)."""
    found = await member_discounts.best_for(session, client_id)
    if found is None:
        return
    rates = {LineKind.product: found.product_percent, LineKind.service: found.service_percent}
    for draft in drafts:
        rate = rates.get(draft.kind, 0)
        cut = percent_of(draft.amount_cents, Decimal(rate)) if rate else 0
        if cut > 0:
            draft.discounts.append((cut, found.reason))


async def create_order(session: AsyncSession, asked: OrderAsked, actor: Principal) -> Order:
    """A new open order, its lines priced, its discounts applied, its total fixed."""
    now = utcnow()
    if asked.training and asked.booking_id is not None:
        raise NotInTraining("A booking is checked out for real, never in training.")
    order = Order(
        id=new_id(),
        status=OrderStatus.open,
        register_id=await till_of(session, asked.register_id),
        booking_id=asked.booking_id,
        client_id=asked.client_id,
        training=asked.training,
        total_cents=0,
        print_client_name=asked.print_client_name,
        created_by_user_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    drafts: list[_Draft] = []
    prepaid: list[payments.KeptPayment] = []
    if asked.booking_id is not None:
        booking = await bookings.take_to_till(session, asked.booking_id, order_id=order.id)
        if asked.client_id is not None and asked.client_id != booking.client_id:
            raise ClientMismatch()
        order.client_id = booking.client_id
        drafts, prepaid = await _booking_lines(session, booking)
    elif asked.client_id is not None:
        await clients.get_client(session, asked.client_id)
    for line in asked.lines:
        draft = await _asked_line(session, line)
        if line.discount_cents:
            _check_discount(actor, line.discount_cents, draft.amount_cents, "line")
            draft.discounts.append((line.discount_cents, line.discount_reason or ""))
        drafts.append(draft)
    await _check_practitioners(session, drafts)
    if order.client_id is None and any(d.kind is LineKind.package for d in drafts):
        raise packages.PackageNeedsClient("Name the client (`client_id`) a package is sold to.")
    if order.client_id is not None:
        await _member_discount(session, order.client_id, drafts)
    session.add(order)
    await session.flush()
    if asked.promo_code:
        await _promo(session, order, drafts, asked.promo_code, actor)
    if asked.discount_cents:
        base = sum(d.amount_cents for d in drafts)
        _check_discount(actor, asked.discount_cents, base, "order")
        shares = pricing.spread(asked.discount_cents, [d.amount_cents for d in drafts])
        for draft, share in zip(drafts, shares, strict=True):
            if share:
                draft.discounts.append((share, asked.discount_reason or ""))
        order.discount_cents, order.discount_reason = asked.discount_cents, asked.discount_reason
    _add_lines(session, order, drafts)
    order.total_cents = sum(d.amount_cents for d in drafts)
    order.prepaid_cents = sum(p.kept_cents for p in prepaid)
    if order.prepaid_cents > order.total_cents:
        raise DiscountTooLarge("The order would cost less than the client already paid.")
    for kept in prepaid:
        session.add(
            OrderTender(
                id=new_id(),
                order_id=order.id,
                payment_id=kept.payment_id,
                method=DEPOSIT,
                amount_cents=kept.kept_cents,
                created_at=now,
            )
        )
    await session.flush()
    return order


def _add_lines(session: AsyncSession, order: Order, drafts: Sequence[_Draft]) -> None:
    for position, draft in enumerate(drafts, start=1):
        reasons = [reason for amount, reason in draft.discounts if amount and reason]
        session.add(
            OrderLine(
                id=new_id(),
                order_id=order.id,
                position=position,
                kind=draft.kind,
                service_id=draft.item_id if draft.kind is LineKind.service else None,
                product_id=draft.item_id if draft.kind is LineKind.product else None,
                package_offer_id=draft.item_id if draft.kind is LineKind.package else None,
                practitioner_id=draft.practitioner_id,
                label=draft.label,
                quantity=draft.quantity,
                unit_price_cents=draft.unit_price_cents,
                vat_rate=draft.vat_rate,
                discount_cents=sum(d for d, _ in draft.discounts),
                discount_reason=", ".join(dict.fromkeys(reasons))[:200] or None,
                from_booking=draft.from_booking,
            )
        )


async def cancel_order(session: AsyncSession, order: Order) -> Order:
    """Abandon an open order nothing was paid for; its booking is paid on its own again."""
    if order.status != OrderStatus.open:
        raise OrderNotOpen()
    balance = await payments.balance(session, "order", order.id)
    if balance.paid_cents or balance.in_progress_cents or balance.tips_cents:
        raise OrderHasPayments("Refund what was taken before cancelling the order.")
    order.status, order.cancelled_at = OrderStatus.cancelled, utcnow()
    order.updated_at = order.cancelled_at
    if order.booking_id is not None:
        await bookings.release_from_till(session, order.booking_id, order_id=order.id)
    if order.promo_code:
        await coupons.settle(session, "order", order.id, used=False)
    await session.flush()
    return order
