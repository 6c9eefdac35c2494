from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator
from sqlalchemy import func, or_, select

from app.auth.public import (
    ClientIp,
    ClientSelf,
    DbSession,
    FrontDesk,
    Manager,
    MaybeUser,
    limit_visitor,
    record_audit,
)
from app.bookings import public as bookings
from app.clients import public as clients
from app.core import ratelimit
from app.core.clock import utcnow
from app.core.errors import NotFound, RateLimited, ValidationFailed, error_responses
from app.core.pagination import Page, Pagination, paginate
from app.core.timeutils import SalonDate, SalonDateTime, local_day_span, zone
from app.giftcards import codes, delivery, service
from app.giftcards.dependencies import CardForStaff
from app.giftcards.models import CardStatus, EntryKind, GiftCard, GiftCardEntry
from app.integrations.storage import get_storage
from app.payments import public as payments

router = APIRouter(tags=["gift cards"])

BALANCE_CHECKS_PER_IP = 10
BALANCE_CHECKS_PER_CODE = 5
BALANCE_WINDOW_SECONDS = 15 * 60
_ERRORS = (
    service.InvalidGiftCardCode,
    service.GiftCardNotFound,
    service.GiftCardNotUsable,
    service.GiftCardExpired,
    service.InsufficientBalance,
)


class Person(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None


class CardIn(BaseModel):
    """A card for an amount (10 to 1,000 euros) or for named services (at their price)."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "amount_cents": 8000,
                "buyer": {"name": "Inès Martin", "email": "ines@example.fr"},
                "recipient_name": "Léa",
                "recipient_email": "lea@example.fr",
                "message": "Joyeux anniversaire !",
                "deliver_on": "2027-03-22",
            }
        }
    )

    amount_cents: int | None = Field(default=None, ge=1, le=10_000_000)
    service_ids: list[UUID] = Field(default_factory=list, max_length=10)
    buyer: Person
    recipient_name: str = Field(min_length=1, max_length=200)
    recipient_email: EmailStr | None = None
    message: str | None = Field(default=None, max_length=500)
    deliver_on: date | None = Field(default=None, description="Default: today")

    @model_validator(mode="after")
    def _one_value(self) -> CardIn:
        if (self.amount_cents is None) == (not self.service_ids):
            raise ValueError("give `amount_cents` or `service_ids`, not both")
        if self.deliver_on is not None and self.deliver_on < utcnow().date():
            raise ValueError("`deliver_on` is in the past")
        return self

    def new_card(self, buyer_client_id: UUID | None) -> service.NewCard:
        return service.NewCard(
            amount_cents=self.amount_cents,
            service_ids=self.service_ids,
            buyer_name=self.buyer.name,
            buyer_email=str(self.buyer.email) if self.buyer.email else None,
            buyer_client_id=buyer_client_id,
            recipient_name=self.recipient_name,
            recipient_email=str(self.recipient_email) if self.recipient_email else None,
            message=self.message,
            deliver_on=self.deliver_on,
        )


class BuyIn(CardIn):
    method: Literal["stripe", "paypal"]
    return_url: str | None = Field(default=None, max_length=500)
    cancel_url: str | None = Field(default=None, max_length=500)


class SellIn(CardIn):
    method: Literal["cash", "bank_transfer"]


class CardOut(BaseModel):
    id: UUID
    status: str
    code_hint: str
    initial_cents: int
    balance_cents: int
    service_ids: list[UUID]
    buyer_name: str
    recipient_name: str
    recipient_email: str | None
    deliver_on: date
    expires_at: SalonDateTime
    vat_treatment: str
    created_at: SalonDateTime


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    amount_cents: int
    reason: str | None
    payment_id: UUID | None
    booking_id: UUID | None
    actor_user_id: UUID | None
    at: SalonDateTime


class CardDetail(CardOut):
    ledger: list[EntryOut]


class PurchaseOut(BaseModel):
    gift_card: CardOut
    payment_id: UUID
    client_secret: str | None = None
    publishable_key: str | None = None
    approval_url: str | None = None


class SaleOut(BaseModel):
    gift_card: CardOut
    code: str = Field(description="Shown once, for the desk to hand over; only a hash is kept.")


class CodeIn(BaseModel):
    code: str = Field(min_length=1, max_length=40)


class BalanceOut(BaseModel):
    status: str
    balance_cents: int
    initial_cents: int
    expires_at: SalonDateTime


class RedeemIn(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    booking_id: UUID
    amount_cents: int | None = Field(default=None, gt=0, le=10_000_000)


class RedeemOut(BaseModel):
    gift_card_id: UUID
    payment_id: UUID
    redeemed_cents: int
    balance_cents: int


class CancelIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)
    refund: bool = Field(default=True, description="Give what is left back to the buyer")


class AdjustIn(BaseModel):
    amount_cents: int = Field(ge=-10_000_000, le=10_000_000)
    reason: str = Field(min_length=1, max_length=500)


def _out(card: GiftCard, balance: int) -> CardOut:
    return CardOut(
        id=card.id,
        status=card.status,
        code_hint=card.code_hint,
        initial_cents=card.initial_cents,
        balance_cents=balance,
        service_ids=list(card.service_ids),
        buyer_name=card.buyer_name,
        recipient_name=card.recipient_name,
        recipient_email=card.recipient_email,
        deliver_on=card.deliver_on,
        expires_at=card.expires_at,
        vat_treatment=card.vat_treatment,
        created_at=card.created_at,
    )


async def _buyer(session: DbSession, principal: MaybeUser) -> UUID | None:
    if principal is None or principal.is_staff:
        return None
    own = await clients.client_for_user(session, principal.user_id)
    return own.id if own else None


@router.post(
    "/api/v1/gift-cards",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(service.InvalidGiftCardAmount, RateLimited),
)
async def buy_gift_card(
    body: BuyIn, principal: MaybeUser, session: DbSession, ip: ClientIp
) -> PurchaseOut:
    """Buy a card online: the answer carries the Stripe `client_secret` or the PayPal
    `approval_url`. Once paid, the card's PDF is e-mailed on the delivery date. Checkouts are
    limited per address and per buyer e-mail (429)."""
    await limit_visitor("gift_card_checkout", principal, ip, body.buyer.email)
    buyer = await _buyer(session, principal)
    card, _ = await service.create_card(session, body.new_card(buyer), sold_by_user_id=None)
    checkout = await payments.start_purchase(
        session,
        subject=(payments.SubjectKind.gift_card, card.id),
        amount_cents=card.initial_cents,
        client_id=buyer,
        method=payments.PaymentMethod(body.method),
        description="Carte cadeau",
        return_url=body.return_url,
        cancel_url=body.cancel_url,
    )
    card.payment_id = checkout.payment.id
    return PurchaseOut(
        gift_card=_out(card, 0),
        payment_id=checkout.payment.id,
        client_secret=checkout.client_secret,
        publishable_key=checkout.publishable_key,
        approval_url=checkout.payment.approval_url,
    )


@router.post(
    "/api/v1/gift-cards/in-salon",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(service.InvalidGiftCardAmount),
)
async def sell_gift_card(body: SellIn, staff: FrontDesk, session: DbSession) -> SaleOut:
    """Sell a card at the desk (cash or transfer): active at once, its code shown once."""
    card, code = await service.create_card(
        session, body.new_card(None), sold_by_user_id=staff.user_id
    )
    payment = await payments.record_in_salon_sale(
        session,
        subject=(payments.SubjectKind.gift_card, card.id),
        amount_cents=card.initial_cents,
        client_id=None,
        method=payments.PaymentMethod(body.method),
        staff_user_id=staff.user_id,
    )
    await service.activate(session, card, payment_id=payment.id, actor_user_id=staff.user_id)
    await delivery.store_pdf(session, card)
    await delivery.queue_email(session, card, resend=False)
    return SaleOut(gift_card=_out(card, card.initial_cents), code=codes.display(code))


@router.post(
    "/api/v1/gift-cards/balance",
    responses=error_responses(service.InvalidGiftCardCode, service.GiftCardNotFound),
)
async def check_balance(body: CodeIn, ip: ClientIp, session: DbSession) -> BalanceOut:
    """What a card still holds. Limited hard (per address and per code) against guessing."""
    await ratelimit.enforce(
        f"giftcard-balance:ip:{ip}",
        limit=BALANCE_CHECKS_PER_IP,
        window_seconds=BALANCE_WINDOW_SECONDS,
    )
    compact = "".join(body.code.split()).replace("-", "").upper()
    await ratelimit.enforce(
        f"giftcard-balance:code:{codes.code_hash(compact)}",
        limit=BALANCE_CHECKS_PER_CODE,
        window_seconds=BALANCE_WINDOW_SECONDS,
    )
    card = await service.find_by_code(session, body.code)
    if card.status == CardStatus.pending_payment:
        raise service.GiftCardNotFound()
    return BalanceOut(
        status=card.status,
        balance_cents=await service.balance(session, card.id),
        initial_cents=card.initial_cents,
        expires_at=card.expires_at,
    )


async def _redeem(
    session: DbSession,
    typed: str,
    *,
    booking_id: UUID,
    amount_cents: int | None,
    actor_user_id: UUID | None,
) -> RedeemOut:
    """A `gift_card` payment and a redemption in the card's ledger, in one transaction,
    under the card's lock."""
    card = await service.find_by_code(session, typed, lock=True)
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
    return RedeemOut(
        gift_card_id=card.id,
        payment_id=payment.id,
        redeemed_cents=payment.amount_cents,
        balance_cents=left - payment.amount_cents,
    )


@router.post("/api/v1/gift-cards/redeem", responses=error_responses(*_ERRORS))
async def redeem(body: RedeemIn, staff: FrontDesk, session: DbSession) -> RedeemOut:
    """At the till: pay (part of) a booking's balance with a card."""
    return await _redeem(
        session,
        body.code,
        booking_id=body.booking_id,
        amount_cents=body.amount_cents,
        actor_user_id=staff.user_id,
    )


class OnlineRedeemIn(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    booking_id: UUID
    token: str | None = Field(
        default=None, max_length=1000, description="The booking's `manage_token` (no account)"
    )


@router.post(
    "/api/v1/gift-cards/redeem-online",
    responses=error_responses(*_ERRORS),
    dependencies=[bookings.BookingCheckout],
)
async def redeem_online(
    body: OnlineRedeemIn, principal: MaybeUser, ip: ClientIp, session: DbSession
) -> RedeemOut:
    """At booking checkout on the site: the card pays the deposit of a held booking (which
    confirms it), or what is left of a confirmed one. Limited like balance checks."""
    await ratelimit.enforce(
        f"giftcard-balance:ip:{ip}",
        limit=BALANCE_CHECKS_PER_IP,
        window_seconds=BALANCE_WINDOW_SECONDS,
    )
    await bookings.ensure_may_pay(session, body.booking_id, principal, body.token, staff=False)
    booking = await bookings.payable_booking(session, body.booking_id)
    return await _redeem(
        session, body.code, booking_id=booking.id, amount_cents=None, actor_user_id=None
    )


@router.get("/api/v1/me/gift-cards")
async def my_gift_cards(
    principal: ClientSelf, session: DbSession, page: Pagination
) -> Page[CardOut]:
    """Cards the client bought, and cards sent to her verified e-mail from their delivery
    date, newest first."""
    own = await clients.client_for_user(session, principal.user_id)
    if own is None:
        return Page[CardOut](items=[])
    conditions = [GiftCard.buyer_client_id == own.id]
    if own.email:  # a record holds its e-mail once the account has verified it
        conditions.append(service.received_by(own.email))
    listed = await paginate(
        session,
        select(GiftCard).where(or_(*conditions), GiftCard.status != CardStatus.pending_payment),
        order_by=(GiftCard.id,),
        params=page,
        descending=True,
        to_item=lambda card: _out(card, 0),
    )
    left = await service.balances(session, [c.id for c in listed.items])
    for item in listed.items:
        item.balance_cents = left[item.id]
    return listed


_BALANCE = (
    select(func.coalesce(func.sum(GiftCardEntry.amount_cents), 0))
    .where(GiftCardEntry.gift_card_id == GiftCard.id)
    .correlate(GiftCard)
    .scalar_subquery()
)


CardState = Literal["active", "spent", "expired", "cancelled", "pending_payment"]


@router.get("/api/v1/gift-cards")
async def list_gift_cards(
    _: FrontDesk,
    session: DbSession,
    page: Pagination,
    status_filter: Annotated[CardState | None, Query(alias="status")] = None,
    state: Annotated[
        CardState | None, Query(deprecated=True, description="Former name of `status`")
    ] = None,
) -> Page[CardOut]:
    """Cards, newest first, by `status`: `active` (money left), `spent` (nothing left),
    `expired`, `cancelled`, `pending_payment`."""
    state = status_filter or state
    statement = select(GiftCard)
    if state == "active":
        statement = statement.where(GiftCard.status == CardStatus.active, _BALANCE > 0)
    elif state == "spent":
        statement = statement.where(GiftCard.status == CardStatus.active, _BALANCE <= 0)
    elif state is not None:
        statement = statement.where(GiftCard.status == state)
    listed = await paginate(
        session,
        statement,
        order_by=(GiftCard.created_at, GiftCard.id),
        params=page,
        descending=True,
        to_item=lambda card: _out(card, 0),
    )
    left = await service.balances(session, [c.id for c in listed.items])
    for item in listed.items:
        item.balance_cents = left[item.id]
    return listed


class MovementOut(BaseModel):
    kind: str
    vat_treatment: str
    count: int
    amount_cents: int


class LedgerSummaryOut(BaseModel):
    date_from: date
    date_to: date
    outstanding_at_start_cents: int
    movements: list[MovementOut]
    outstanding_at_end_cents: int


@router.get("/api/v1/gift-cards/ledger-summary")
async def ledger_summary(
    _: Manager,
    session: DbSession,
    date_from: SalonDate,
    date_to: SalonDate,
) -> LedgerSummaryOut:
    """What the accounts need (docs/giftcards.md): the gift-card liability at the start and
    end of a period (salon dates, inclusive) and its movements by kind and VAT treatment —
    sold (issue), spent (redeem), given back (refund), lapsed (expire), cancelled, adjusted."""
    if date_to < date_from:
        raise ValidationFailed("`date_from` must not come after `date_to`.")
    tz = zone()
    start, end = local_day_span(date_from, tz)[0], local_day_span(date_to, tz)[1]
    before = await session.scalar(
        select(func.coalesce(func.sum(GiftCardEntry.amount_cents), 0)).where(
            GiftCardEntry.at < start
        )
    )
    rows = await session.execute(
        select(
            GiftCardEntry.kind,
            GiftCard.vat_treatment,
            func.count(),
            func.sum(GiftCardEntry.amount_cents),
        )
        .join(GiftCard, GiftCard.id == GiftCardEntry.gift_card_id)
        .where(GiftCardEntry.at >= start, GiftCardEntry.at < end)
        .group_by(GiftCardEntry.kind, GiftCard.vat_treatment)
        .order_by(GiftCardEntry.kind, GiftCard.vat_treatment)
    )
    movements = [
        MovementOut(kind=k, vat_treatment=v, count=n, amount_cents=int(total))
        for k, v, n, total in rows
    ]
    opening = int(before or 0)
    return LedgerSummaryOut(
        date_from=date_from,
        date_to=date_to,
        outstanding_at_start_cents=opening,
        movements=movements,
        outstanding_at_end_cents=opening + sum(m.amount_cents for m in movements),
    )


@router.get("/api/v1/gift-cards/{card_id}", responses=error_responses(service.GiftCardNotFound))
async def get_gift_card(card: CardForStaff, session: DbSession) -> CardDetail:
    ledger = await service.entries(session, card.id)
    out = _out(card, sum(e.amount_cents for e in ledger))
    return CardDetail(**out.model_dump(), ledger=[EntryOut.model_validate(e) for e in ledger])


@router.post(
    "/api/v1/gift-cards/{card_id}/cancel",
    responses=error_responses(
        service.GiftCardNotFound, service.GiftCardNotUsable, service.GiftCardPartlySpent
    ),
)
async def cancel_gift_card(
    card_id: UUID, body: CancelIn, staff: Manager, session: DbSession
) -> CardDetail:
    """Cancel a card; what is left leaves its balance and, with `refund`, goes back to the
    buyer through the payment that bought it."""
    found = await service.get_card(session, card_id)
    # The purchase's payment first, then the card: the order every refund locks them in (so
    # this route does not use the loader, which would lock the card first).
    payment = None
    if body.refund and found.payment_id:
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
            reason=f"gift card cancelled: {body.reason}",
            requested_by_user_id=staff.user_id,
        )
    elif left > 0:
        service.add_entry(
            session, card, EntryKind.cancel, -left, reason=body.reason, actor_user_id=staff.user_id
        )
    card.status = CardStatus.cancelled
    await record_audit(
        session,
        "gift_card.cancelled",
        actor_user_id=staff.user_id,
        subject_type="gift_card",
        subject_id=card.id,
        data={"left_cents": left, "refund": body.refund},
    )
    await session.flush()
    return await get_gift_card(card, session)


@router.post(
    "/api/v1/gift-cards/{card_id}/adjust",
    responses=error_responses(service.GiftCardNotFound, ValidationFailed),
)
async def adjust_gift_card(
    staff: Manager, card: CardForStaff, body: AdjustIn, session: DbSession
) -> CardDetail:
    """Correct a balance (a mistake at the till), up or down, with a reason."""
    if body.amount_cents == 0 or card.status != CardStatus.active:
        raise ValidationFailed("Adjust an active card by a non-zero amount.")
    if await service.balance(session, card.id) + body.amount_cents < 0:
        raise ValidationFailed("A balance cannot go below zero.")
    service.add_entry(
        session,
        card,
        EntryKind.adjust,
        body.amount_cents,
        reason=body.reason,
        actor_user_id=staff.user_id,
    )
    await record_audit(
        session,
        "gift_card.adjusted",
        actor_user_id=staff.user_id,
        subject_type="gift_card",
        subject_id=card.id,
        data={"amount_cents": body.amount_cents, "reason": body.reason},
    )
    await session.flush()
    return await get_gift_card(card, session)


@router.post(
    "/api/v1/gift-cards/{card_id}/pdf",
    responses=error_responses(service.GiftCardNotFound, service.GiftCardNotUsable),
)
async def regenerate_pdf(card: CardForStaff, session: DbSession) -> CardOut:
    """Render the card's PDF again (a new layout, a corrected name)."""
    if card.status == CardStatus.pending_payment:
        raise service.GiftCardNotUsable("This card is not paid yet.")
    await delivery.store_pdf(session, card)
    return _out(card, await service.balance(session, card.id))


@router.get(
    "/api/v1/gift-cards/{card_id}/pdf",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}},
        **error_responses(NotFound, service.GiftCardPdfNotForStaff),
    },
)
async def download_pdf(card: CardForStaff, session: DbSession) -> Response:
    """The PDF (it prints the code) of a card sold at the desk, to print it again for its
    buyer. A card bought online is its buyer's secret: its PDF leaves only by e-mail
    (`POST …/resend`), so no staff member can read its code."""
    if card.sold_by_user_id is None:
        raise service.GiftCardPdfNotForStaff()
    if card.pdf_key is None:
        raise NotFound("This card has no PDF yet.")
    pdf = await get_storage().get(card.pdf_key)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="carte-cadeau-{card.code_hint}.pdf"'},
    )


@router.post(
    "/api/v1/gift-cards/{card_id}/resend",
    responses=error_responses(service.GiftCardNotFound, service.GiftCardNotUsable),
)
async def resend_gift_card(card: CardForStaff, session: DbSession) -> CardOut:
    """E-mail the card again now (a lost e-mail), with a fresh PDF."""
    if card.status != CardStatus.active:
        raise service.GiftCardNotUsable(f"A card that is {card.status} is not sent.")
    await delivery.store_pdf(session, card)
    await delivery.queue_email(session, card, resend=True)
    return _out(card, await service.balance(session, card.id))
