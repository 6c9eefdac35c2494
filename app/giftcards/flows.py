"""Gift card use cases that reach other domains (payments, bookings, clients) through their
public modules: a card bought online or sold at the desk, spent at the till or at the site's
checkout, cancelled (with a refund), adjusted. Each writes its own audit record, so a task or
a script doing the same is audited the same as a route."""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.public import Principal, record_audit
from app.bookings import public as bookings
from app.clients import public as clients
from app.core.errors import ValidationFailed
from app.core.pagination import Page, PageParams
from app.giftcards import codes, delivery, service
from app.giftcards.models import CardStatus, EntryKind
from app.giftcards.schemas import (
    CardDetail,
    CardOut,
    NewCard,
    PurchaseOut,
    SaleOut,
    card_out,
)
from app.payments import public as payments


@dataclass(frozen=True, slots=True)
class Redemption:
    """A card spent on a booking: the `gift_card` payment and what the card still holds."""

    gift_card_id: UUID
    payment_id: UUID
    redeemed_cents: int
    balance_cents: int


async def _buyer(session: AsyncSession, principal: Principal | None) -> UUID | None:
    if principal is None or principal.is_staff:
        return None
    own = await clients.client_for_user(session, principal.user_id)
    return own.id if own else None


async def buy_online(
    session: AsyncSession,
    data: NewCard,
    *,
    principal: Principal | None,
    method: str,
    return_url: str | None,
    cancel_url: str | None,
) -> PurchaseOut:
    """A card waiting for its online payment (Stripe or PayPal), bought by the signed-in
    client if there is one; it is issued when the payment is taken (delivery.py)."""
    data = replace(data, buyer_client_id=await _buyer(session, principal))
    card, _ = await service.create_card(session, data, sold_by_user_id=None)
    checkout = await payments.start_purchase(
        session,
        subject=(payments.SubjectKind.gift_card, card.id),
        amount_cents=card.initial_cents,
        client_id=data.buyer_client_id,
        method=payments.PaymentMethod(method),
        description="Carte cadeau",
        return_url=return_url,
        cancel_url=cancel_url,
    )
    card.payment_id = checkout.payment.id
    return PurchaseOut(
        gift_card=card_out(card, 0),
        payment_id=checkout.payment.id,
        client_secret=checkout.client_secret,
        publishable_key=checkout.publishable_key,
        approval_url=checkout.payment.approval_url,
    )


async def sell_at_desk(
    session: AsyncSession, data: NewCard, *, method: str, staff_user_id: UUID
) -> SaleOut:
    """A card paid at the desk (cash or transfer): active at once, its PDF stored and its
    e-mails queued; the answer shows its code, once."""
    card, code = await service.create_card(session, data, sold_by_user_id=staff_user_id)
    payment = await payments.record_in_salon_sale(
        session,
        subject=(payments.SubjectKind.gift_card, card.id),
        amount_cents=card.initial_cents,
        client_id=None,
        method=payments.PaymentMethod(method),
        staff_user_id=staff_user_id,
    )
    await service.activate(session, card, payment_id=payment.id, actor_user_id=staff_user_id)
    await delivery.store_pdf(session, card)
    await delivery.queue_email(session, card, resend=False)
    return SaleOut(gift_card=card_out(card, card.initial_cents), code=codes.display(code))


async def redeem(
    session: AsyncSession,
    code: str,
    *,
    booking_id: UUID,
    amount_cents: int | None,
    actor_user_id: UUID | None,
) -> Redemption:
    """Pay (part of) a booking with the card `code` names: a `gift_card` payment and a
    redemption in the card's ledger, in the caller's transaction, under the card's lock (two
    tills spending one card queue on it). All the card can pay by default."""
    card = await service.find_by_code(session, code, lock=True)
    service.ensure_usable(card)
    left = await service.balance(session, card.id)
    if left <= 0 or (amount_cents is not None and amount_cents > left):
        raise service.InsufficientBalance(
            f"The card holds {left} cents.", extra={"balance_cents": left}
        )
    payment = await payments.record_gift_card_payment(
        session,
        booking_id=booking_id,
        amount_cents=amount_cents,
        available_cents=left,
        gift_card_id=card.id,
        staff_user_id=actor_user_id,
    )
    service.add_entry(
        session,
        card,
        EntryKind.redeem,
        -payment.amount_cents,
        payment_id=payment.id,
        booking_id=booking_id,
        actor_user_id=actor_user_id,
    )
    return Redemption(
        gift_card_id=card.id,
        payment_id=payment.id,
        redeemed_cents=payment.amount_cents,
        balance_cents=left - payment.amount_cents,
    )


async def redeem_online(
    session: AsyncSession,
    code: str,
    *,
    booking_id: UUID,
    principal: Principal | None,
    token: str | None,
) -> Redemption:
    """At the site's checkout: the card pays the deposit of a held booking (which confirms
    it) or what is left of a confirmed one, for whoever may pay that booking."""
    await bookings.ensure_may_pay(session, booking_id, principal, token, staff=False)
    booking = await bookings.payable_booking(session, booking_id)
    return await redeem(session, code, booking_id=booking.id, amount_cents=None, actor_user_id=None)


async def cards_of_user(session: AsyncSession, user_id: UUID, *, page: PageParams) -> Page[CardOut]:
    """The cards a client's account bought, and those sent to its verified e-mail from their
    delivery date, newest first."""
    own = await clients.client_for_user(session, user_id)
    if own is None:
        return Page[CardOut](items=[])
    # A record holds its e-mail once the account has verified it.
    return await service.client_cards(session, own.id, own.email, page=page)


async def cancel(
    session: AsyncSession, card_id: UUID, *, reason: str, refund: bool, actor_user_id: UUID | None
) -> CardDetail:
    """Cancel a card: what is left leaves its balance and, with `refund`, goes back to the
    buyer through the payment that bought it. Audited as `gift_card.cancelled`."""
    found = await service.get_card(session, card_id)
    # The purchase's payment first, then the card: the order every refund locks them in.
    payment = None
    if refund and found.payment_id:
        payment = await payments.get_payment(session, found.payment_id, lock=True)
    card = await service.get_card(session, card_id, lock=True)
    if card.status not in {CardStatus.active, CardStatus.pending_payment}:
        raise service.GiftCardNotUsable(f"A card that is {card.status} cannot be cancelled.")
    left = await service.balance(session, card.id)
    if left > 0 and payment is not None:
        # The refund takes what is left off the card (app/giftcards/refunds.py).
        await payments.refund_payment(
            session,
            payment,
            amount_cents=left,
            reason=f"gift card cancelled: {reason}",
            requested_by_user_id=actor_user_id,
        )
    elif left > 0:
        service.add_entry(
            session, card, EntryKind.cancel, -left, reason=reason, actor_user_id=actor_user_id
        )
    card.status = CardStatus.cancelled
    await record_audit(
        session,
        "gift_card.cancelled",
        actor_user_id=actor_user_id,
        subject_type="gift_card",
        subject_id=card.id,
        data={"left_cents": left, "refund": refund},
    )
    await session.flush()
    return await service.detail(session, card)


async def adjust(
    session: AsyncSession,
    card_id: UUID,
    *,
    amount_cents: int,
    reason: str,
    actor_user_id: UUID | None,
) -> CardDetail:
    """Correct an active card's balance (a mistake at the till), up or down, never below
    zero. Audited as `gift_card.adjusted`."""
    card = await service.get_card(session, card_id, lock=True)
    if amount_cents == 0 or card.status != CardStatus.active:
        raise ValidationFailed("Adjust an active card by a non-zero amount.")
    if await service.balance(session, card.id) + amount_cents < 0:
        raise ValidationFailed("A balance cannot go below zero.")
    service.add_entry(
        session, card, EntryKind.adjust, amount_cents, reason=reason, actor_user_id=actor_user_id
    )
    await record_audit(
        session,
        "gift_card.adjusted",
        actor_user_id=actor_user_id,
        subject_type="gift_card",
        subject_id=card.id,
        data={"amount_cents": amount_cents, "reason": reason},
    )
    await session.flush()
    return await service.detail(session, card)
