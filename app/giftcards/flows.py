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
from app.giftcards import codes, errors, refunds, service
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
    """A card spent on a booking (or anything payable): the `gift_card` payment and what the
    card still holds."""

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
    client if there is one; it is issued when the payment is taken (payable.py)."""
    data = replace(data, buyer_client_id=await _buyer(session, principal))
    card, _ = await service.create_card(session, data, sold_by_user_id=None)
    checkout = await payments.start_purchase(
        session,
        subject=("gift_card", card.id),
        method=payments.PaymentMethod(method),
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
    session: AsyncSession,
    data: NewCard,
    *,
    method: str | None,
    reader_id: UUID | None = None,
    staff_user_id: UUID,
) -> SaleOut:
    """A card sold at the desk; the answer shows its code, once. Cash or a transfer issue it
    at once (PDF stored, e-mails queued); on the card reader it is issued when the reader
    says it is paid; with no method it waits, pending, for a split tender paid through the
    payments routes (part by another card, part in cash…)."""
    card, code = await service.create_card(session, data, sold_by_user_id=staff_user_id)
    if method is not None:
        await payments.take_in_person(
            session,
            subject=("gift_card", card.id),
            method=payments.PaymentMethod(method),
            amount_cents=None,
            tip_cents=0,
            reader_id=reader_id,
            note=None,
            staff_user_id=staff_user_id,
        )
    left = card.initial_cents if card.status == CardStatus.active else 0
    return SaleOut(gift_card=card_out(card, left), code=codes.display(code))


async def redeem(
    session: AsyncSession,
    code: str,
    *,
    booking_id: UUID | None = None,
    subject: tuple[str, UUID] | None = None,
    amount_cents: int | None,
    actor_user_id: UUID | None,
) -> Redemption:
    """Pay (part of) a booking, or anything payable (`subject`: ("gift_card", id)…), with
    the card `code` names: a `gift_card` payment and a redemption in the card's ledger, in
    the caller's transaction, under the card's lock (two tills spending one card queue on
    it). All the card can pay by default."""
    if subject is not None:
        paid_for = subject
    elif booking_id is not None:
        paid_for = ("booking", booking_id)
    else:
        raise ValueError("name what the card pays with `booking_id` or `subject`")
    card = await service.find_by_code(session, code, lock=True)
    service.ensure_usable(card)
    left = await service.balance(session, card.id)
    if left <= 0 or (amount_cents is not None and amount_cents > left):
        raise errors.InsufficientBalance(
            f"The card holds {left} cents.", extra={"balance_cents": left}
        )
    payment = await payments.pay_with_gift_card(
        session,
        subject=paid_for,
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
        booking_id=paid_for[1] if paid_for[0] == "booking" else None,
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
    buyer through every tender that paid for it (a split: part in cash, part on the card
    reader…), each by its own method. Only what is unspent goes back, shared out newest tender
    first and cash last (`refunds.share_out`); a card still being paid gives back all its
    tenders took. Audited as `gift_card.cancelled`."""
    await service.get_card(session, card_id)  # unknown: 404 before anything is locked
    # The purchase's payments first, then the card: the order every refund locks them in.
    tenders = await payments.refundable_tenders(session, ("gift_card", card_id)) if refund else []
    card = await service.get_card(session, card_id, lock=True)
    if card.status not in {CardStatus.active, CardStatus.pending_payment}:
        raise errors.GiftCardNotUsable(f"A card that is {card.status} cannot be cancelled.")
    left = await service.balance(session, card.id)
    owed = sum(t.refundable_cents for t in tenders) if refunds.never_issued(card) else left
    for tender, cents in refunds.share_out(tenders, owed):
        # Each refund takes its amount off the card (refunds.purchase_refunded).
        await payments.refund_payment(
            session,
            await payments.get_payment(session, tender.payment_id, lock=True),
            amount_cents=cents,
            reason=f"gift card cancelled: {reason}",
            requested_by_user_id=actor_user_id,
        )
    rest = await service.balance(session, card.id)
    if rest > 0:  # nothing to refund it through (`refund: false`, or more than was paid)
        service.add_entry(
            session, card, EntryKind.cancel, -rest, reason=reason, actor_user_id=actor_user_id
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
