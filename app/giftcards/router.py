from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from app.auth.public import (
    ClientIp,
    ClientSelf,
    DbSession,
    FrontDesk,
    Manager,
    MaybeUser,
    limit_visitor,
)
from app.bookings import public as bookings
from app.core import ratelimit
from app.core.errors import NotFound, RateLimited, ValidationFailed, error_responses
from app.core.pagination import Page, Pagination
from app.core.payables import UnknownSubjectKind
from app.core.timeutils import SalonDate
from app.giftcards import codes, delivery, errors, flows, service
from app.giftcards.dependencies import CardForStaff
from app.giftcards.models import CardStatus
from app.giftcards.schemas import (
    AdjustIn,
    BalanceOut,
    BuyIn,
    CancelIn,
    CardDetail,
    CardOut,
    CardState,
    CodeIn,
    LedgerSummaryOut,
    OnlineRedeemIn,
    PurchaseOut,
    RedeemIn,
    RedeemOut,
    SaleOut,
    SellIn,
    card_out,
)
from app.integrations.storage import get_storage
from app.payments import public as payments

router = APIRouter(tags=["gift cards"])

BALANCE_CHECKS_PER_IP = 10
BALANCE_CHECKS_PER_CODE = 5
BALANCE_WINDOW_SECONDS = 15 * 60
_ERRORS = (
    errors.InvalidGiftCardCode,
    errors.GiftCardNotFound,
    errors.GiftCardNotUsable,
    errors.GiftCardExpired,
    errors.InsufficientBalance,
)


async def _limit_code_guessing(ip: str, code: str | None = None) -> None:
    """Balance checks and online redemptions per address (and per code): against guessing."""
    await ratelimit.enforce(
        f"giftcard-balance:ip:{ip}",
        limit=BALANCE_CHECKS_PER_IP,
        window_seconds=BALANCE_WINDOW_SECONDS,
    )
    if code is not None:
        compact = "".join(code.split()).replace("-", "").upper()
        await ratelimit.enforce(
            f"giftcard-balance:code:{codes.code_hash(compact)}",
            limit=BALANCE_CHECKS_PER_CODE,
            window_seconds=BALANCE_WINDOW_SECONDS,
        )


@router.post(
    "/api/v1/gift-cards",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(errors.InvalidGiftCardAmount, RateLimited),
)
async def buy_gift_card(
    body: BuyIn, principal: MaybeUser, session: DbSession, ip: ClientIp
) -> PurchaseOut:
    """Buy a card online: the answer carries the Stripe `client_secret` or the PayPal
    `approval_url`. Once paid, the card's PDF is e-mailed on the delivery date. Checkouts are
    limited per address and per buyer e-mail (429)."""
    await limit_visitor("gift_card_checkout", principal, ip, body.buyer.email)
    return await flows.buy_online(
        session,
        body.new_card(),
        principal=principal,
        method=body.method,
        return_url=body.return_url,
        cancel_url=body.cancel_url,
    )


@router.post(
    "/api/v1/gift-cards/in-salon",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        errors.InvalidGiftCardAmount,
        payments.ReaderRequired,
        payments.ReaderNotFound,
        payments.ReaderBusy,
        payments.ReaderOffline,
    ),
)
async def sell_gift_card(body: SellIn, staff: FrontDesk, session: DbSession) -> SaleOut:
    """Sell a card at the desk, its code shown once: cash or transfer issue it at once; the
    card reader (`sumup_terminal`, `reader_id`) when it reports; with no method it waits,
    pending, to be paid in several tenders through the payments routes."""
    return await flows.sell_at_desk(
        session,
        body.new_card(),
        method=body.method,
        reader_id=body.reader_id,
        staff_user_id=staff.user_id,
    )


@router.post(
    "/api/v1/gift-cards/balance",
    responses=error_responses(errors.InvalidGiftCardCode, errors.GiftCardNotFound),
)
async def check_balance(body: CodeIn, ip: ClientIp, session: DbSession) -> BalanceOut:
    """What a card still holds. Limited hard (per address and per code) against guessing."""
    await _limit_code_guessing(ip, body.code)
    card, left = await service.check_balance(session, body.code)
    return BalanceOut(
        status=card.status,
        balance_cents=left,
        initial_cents=card.initial_cents,
        expires_at=card.expires_at,
    )


@router.post(
    "/api/v1/gift-cards/redeem",
    responses=error_responses(
        *_ERRORS, UnknownSubjectKind, payments.NothingToPay, payments.AmountExceedsBalance
    ),
)
async def redeem(body: RedeemIn, staff: FrontDesk, session: DbSession) -> RedeemOut:
    """At the till: pay (part of) a booking's balance with a card, or of anything payable
    (`subject_kind`, `subject_id`: another card being bought, as one tender of a split)."""
    redemption = await flows.redeem(
        session,
        body.code,
        subject=body.subject(),
        amount_cents=body.amount_cents,
        actor_user_id=staff.user_id,
    )
    return RedeemOut(**asdict(redemption))


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
    await _limit_code_guessing(ip)
    redemption = await flows.redeem_online(
        session, body.code, booking_id=body.booking_id, principal=principal, token=body.token
    )
    return RedeemOut(**asdict(redemption))


@router.get("/api/v1/me/gift-cards")
async def my_gift_cards(
    principal: ClientSelf, session: DbSession, page: Pagination
) -> Page[CardOut]:
    """Cards the client bought, and cards sent to her verified e-mail from their delivery
    date, newest first."""
    return await flows.cards_of_user(session, principal.user_id, page=page)


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
    return await service.list_cards(session, state=status_filter or state, page=page)


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
    return await service.ledger_summary(session, date_from=date_from, date_to=date_to)


@router.get("/api/v1/gift-cards/{card_id}", responses=error_responses(errors.GiftCardNotFound))
async def get_gift_card(card: CardForStaff, session: DbSession) -> CardDetail:
    return await service.detail(session, card)


@router.post(
    "/api/v1/gift-cards/{card_id}/cancel",
    responses=error_responses(
        errors.GiftCardNotFound, errors.GiftCardNotUsable, errors.GiftCardPartlySpent
    ),
)
async def cancel_gift_card(
    card_id: UUID, body: CancelIn, staff: Manager, session: DbSession
) -> CardDetail:
    """Cancel a card; what is left leaves its balance and, with `refund`, goes back to the
    buyer through the payments that bought it (each tender of a split by its own method)."""
    # Not the card loader, which would lock the card before the purchase's payment.
    return await flows.cancel(
        session, card_id, reason=body.reason, refund=body.refund, actor_user_id=staff.user_id
    )


@router.post(
    "/api/v1/gift-cards/{card_id}/adjust",
    responses=error_responses(errors.GiftCardNotFound, ValidationFailed),
)
async def adjust_gift_card(
    staff: Manager, card: CardForStaff, body: AdjustIn, session: DbSession
) -> CardDetail:
    """Correct a balance (a mistake at the till), up or down, with a reason."""
    return await flows.adjust(
        session,
        card.id,
        amount_cents=body.amount_cents,
        reason=body.reason,
        actor_user_id=staff.user_id,
    )


@router.post(
    "/api/v1/gift-cards/{card_id}/pdf",
    responses=error_responses(errors.GiftCardNotFound, errors.GiftCardNotUsable),
)
async def regenerate_pdf(card: CardForStaff, session: DbSession) -> CardOut:
    """Render the card's PDF again (a new layout, a corrected name)."""
    if card.status == CardStatus.pending_payment:
        raise errors.GiftCardNotUsable("This card is not paid yet.")
    await delivery.store_pdf(session, card)
    return card_out(card, await service.balance(session, card.id))


@router.get(
    "/api/v1/gift-cards/{card_id}/pdf",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}},
        **error_responses(NotFound, errors.GiftCardPdfNotForStaff),
    },
)
async def download_pdf(card: CardForStaff, session: DbSession) -> Response:
    """The PDF (it prints the code) of a card sold at the desk, to print it again for its
    buyer. A card bought online is its buyer's secret: its PDF leaves only by e-mail
    (`POST …/resend`), so no staff member can read its code."""
    if card.sold_by_user_id is None:
        raise errors.GiftCardPdfNotForStaff()
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
    responses=error_responses(errors.GiftCardNotFound, errors.GiftCardNotUsable),
)
async def resend_gift_card(card: CardForStaff, session: DbSession) -> CardOut:
    """E-mail the card again now (a lost e-mail), with a fresh PDF."""
    if card.status != CardStatus.active:
        raise errors.GiftCardNotUsable(f"A card that is {card.status} is not sent.")
    await delivery.store_pdf(session, card)
    await delivery.queue_email(session, card, resend=True)
    return card_out(card, await service.balance(session, card.id))
