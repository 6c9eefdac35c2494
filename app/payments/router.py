from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, status

from app.auth.public import (
    ClientSelf,
    DbSession,
    FrontDesk,
    Manager,
    MaybeUser,
)
from app.bookings import public as bookings
from app.core.clock import utcnow
from app.core.errors import Forbidden, NotFound, error_responses
from app.core.pagination import Page, Pagination, paginate
from app.core.payables import SubjectNotPayable, UnknownSubjectKind
from app.core.timeutils import SalonDate, local_day_span, zone
from app.payments import (
    cards,
    checkout,
    flows,
    inbox,
    payouts,
    providers,
    reports,
    repository,
    terminal,
    webhooks,
)
from app.payments.balances import Balance
from app.payments.dependencies import PaymentForStaff
from app.payments.errors import (
    AmountExceedsBalance,
    DepositAlreadyPaid,
    DepositNotDue,
    FeeNotAllowed,
    InvalidWebhookPayload,
    InvalidWebhookSignature,
    MethodNotAllowed,
    NoSavedCard,
    NothingToPay,
    PaymentNotCancellable,
    PaymentNotCapturable,
    PaymentNotFound,
    PaymentNotRefundable,
    PayoutAlreadyRecorded,
    PayoutArrivalInFuture,
    PayoutNotFound,
    ProviderRefused,
    ProviderUnavailable,
    ReaderBusy,
    ReaderNotFound,
    ReaderOffline,
    ReaderRequired,
    RefundAboveReceptionistLimit,
    RefundExceedsPayment,
    SimulationNotAvailable,
    TipNotAllowed,
    WebhookNotConfigured,
)
from app.payments.models import (
    Payment,
    PaymentMethod,
    PaymentStatus,
    Payout,
    PayoutProvider,
    PayoutStatus,
    ProviderEvent,
    TerminalReader,
)
from app.payments.schemas import (
    BalanceOut,
    CaptureIn,
    CardSetupIn,
    CardSetupOut,
    CheckoutOut,
    DaySummaryOut,
    DepositIn,
    InPersonIn,
    MethodTotalsOut,
    NoShowFeeIn,
    PaymentDetail,
    PaymentOut,
    PayoutDetail,
    PayoutIn,
    PayoutOut,
    ProviderEventOut,
    ReaderIn,
    ReaderOut,
    RefundIn,
    RefundOut,
    SavedCardOut,
    SimulateIn,
    SubjectBalanceOut,
    TipsOwedOut,
    TipsPayoutIn,
    WebhookAck,
    as_detail,
)

router = APIRouter(tags=["payments"])
webhook_router = APIRouter(tags=["webhooks"])

_PROVIDER_ERRORS = (ProviderUnavailable, ProviderRefused)


def _checkout_out(result: checkout.Checkout) -> CheckoutOut:
    payment = result.payment
    return CheckoutOut(
        payment_id=payment.id,
        status=payment.status,
        method=payment.method,
        amount_cents=payment.amount_cents,
        currency=payment.currency,
        provider=payment.provider,
        client_secret=result.client_secret,
        publishable_key=result.publishable_key,
        approval_url=payment.approval_url,
    )


# --- the site --------------------------------------------------------------------------


@router.post(
    "/api/v1/payments/deposits",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(DepositNotDue, DepositAlreadyPaid, Forbidden, *_PROVIDER_ERRORS),
    dependencies=[bookings.BookingPayer],
)
async def start_deposit(body: DepositIn, principal: MaybeUser, session: DbSession) -> CheckoutOut:
    """Pay the deposit of a held booking: Stripe answers a `client_secret` for Stripe
    Elements, PayPal an `approval_url`. The amount is the booking's deposit. Calling again
    returns the payment already open for that method."""
    result = await flows.start_deposit(
        session,
        booking_id=body.booking_id,
        payer=principal,
        token=body.token,
        method=PaymentMethod(body.method),
        return_url=body.return_url,
        cancel_url=body.cancel_url,
    )
    return _checkout_out(result)


@router.post(
    "/api/v1/payments/{payment_id}/capture",
    responses=error_responses(PaymentNotFound, PaymentNotCapturable, Forbidden, *_PROVIDER_ERRORS),
    dependencies=[bookings.BookingPayer],
)
async def capture_payment(
    payment_id: UUID, body: CaptureIn, principal: MaybeUser, session: DbSession
) -> PaymentOut:
    """Capture a PayPal order once the client approved it (back on the site's return URL)."""
    payment = await flows.capture_for_payer(session, payment_id, payer=principal, token=body.token)
    return PaymentOut.model_validate(payment)


@router.post(
    "/api/v1/payments/{payment_id}/simulate",
    responses=error_responses(PaymentNotFound, SimulationNotAvailable),
)
async def simulate_payment(payment_id: UUID, body: SimulateIn, session: DbSession) -> PaymentOut:
    """Development only: complete a payment made with the console adapter (no provider keys
    set), as the provider's webhook would. Refused in production and for real payments."""
    payment = await flows.simulate(session, payment_id, body.outcome)
    return PaymentOut.model_validate(payment)


# --- staff -----------------------------------------------------------------------------


@router.get("/api/v1/payments")
async def list_payments(
    _: FrontDesk,
    session: DbSession,
    page: Pagination,
    date_from: SalonDate | None = None,
    date_to: SalonDate | None = None,
    method: PaymentMethod | None = None,
    payment_status: Annotated[PaymentStatus | None, Query(alias="status")] = None,
    client_id: UUID | None = None,
    booking_id: UUID | None = None,
) -> Page[PaymentOut]:
    """Payments, newest first, by salon dates (inclusive), method, status, client, booking."""
    tz = zone()
    statement = reports.payments_query(
        start=local_day_span(date_from, tz)[0] if date_from else None,
        end=local_day_span(date_to, tz)[1] if date_to else None,
        method=method,
        status=payment_status,
        client_id=client_id,
        booking_id=booking_id,
    )
    return await paginate(
        session,
        statement,
        order_by=(Payment.created_at, Payment.id),
        params=page,
        descending=True,
        to_item=PaymentOut.model_validate,
    )


@router.post(
    "/api/v1/payments/in-person",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        MethodNotAllowed,
        UnknownSubjectKind,
        bookings.BookingNotPayable,
        SubjectNotPayable,
        TipNotAllowed,
        AmountExceedsBalance,
        NothingToPay,
        ReaderRequired,
        ReaderNotFound,
        ReaderBusy,
        ReaderOffline,
        *_PROVIDER_ERRORS,
    ),
)
async def take_in_person(body: InPersonIn, staff: FrontDesk, session: DbSession) -> PaymentOut:
    """Take the balance of a booking (or of anything payable: `subject_kind` and
    `subject_id`) at the salon, and a tip for whoever served. Cash and transfers are recorded
    at once; on the card reader the payment stays `pending` until the reader reports
    (callback, then polling as a safety net). Several payments may share what is due (a
    split: part by gift card, part in cash)."""
    payment = await flows.take_in_person(
        session,
        subject=body.subject(),
        method=PaymentMethod(body.method),
        amount_cents=body.amount_cents,
        tip_cents=body.tip_cents,
        reader_id=body.reader_id,
        note=body.note,
        staff_user_id=staff.user_id,
    )
    return PaymentOut.model_validate(payment)


@router.post(
    "/api/v1/payments/no-show-fee",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(FeeNotAllowed, NoSavedCard, AmountExceedsBalance, *_PROVIDER_ERRORS),
)
async def charge_no_show_fee(body: NoShowFeeIn, staff: Manager, session: DbSession) -> PaymentOut:
    """Charge the card a client saved (with her consent) after a no-show or a late
    cancellation; never more than the booking's price less what was already kept."""
    payment = await flows.charge_no_show_fee(
        session,
        subject=("booking", body.booking_id),
        amount_cents=body.amount_cents,
        staff_user_id=staff.user_id,
    )
    return PaymentOut.model_validate(payment)


@router.get("/api/v1/payments/daily-summary")
async def daily_summary(
    _: FrontDesk, session: DbSession, day: Annotated[SalonDate | None, Query(alias="date")] = None
) -> DaySummaryOut:
    """One salon day per method: taken, tips, refunded, net; what the cash drawer and the
    SumUp payout should hold."""
    summary = await reports.day_summary(session, day or utcnow().astimezone(zone()).date())
    return DaySummaryOut(
        date=summary.day,
        methods=[
            MethodTotalsOut(
                method=m.method,
                count=m.count,
                taken_cents=m.taken_cents,
                tips_cents=m.tips_cents,
                refunded_cents=m.refunded_cents,
                net_cents=m.net_cents,
            )
            for m in summary.methods
        ],
        cash_drawer_cents=summary.net("cash"),
        sumup_payout_cents=summary.net("sumup_terminal"),
        online_cents=summary.net("stripe") + summary.net("paypal"),
    )


@router.get("/api/v1/payments/tips")
async def tips_owed(
    _: Manager,
    session: DbSession,
    practitioner_id: UUID | None = None,
    until: SalonDate | None = None,
) -> Page[TipsOwedOut]:
    """Tips not yet handed to each practitioner (before `until`, a salon date, exclusive):
    one line per practitioner, in one page."""
    rows = await reports.tips_owed(
        session,
        practitioner_id=practitioner_id,
        until=local_day_span(until, zone())[0] if until else None,
    )
    return Page[TipsOwedOut](
        items=[
            TipsOwedOut(
                practitioner_id=r.practitioner_id, count=r.count, amount_cents=r.amount_cents
            )
            for r in rows
        ]
    )


@router.post("/api/v1/payments/tips/payout")
async def pay_out_tips(body: TipsPayoutIn, staff: Manager, session: DbSession) -> TipsOwedOut:
    """Record that a practitioner's tips were handed over (all of them, or up to `until`)."""
    paid = await flows.pay_out_tips(
        session, practitioner_id=body.practitioner_id, until=body.until, staff_user_id=staff.user_id
    )
    return TipsOwedOut(
        practitioner_id=paid.practitioner_id, count=paid.count, amount_cents=paid.amount_cents
    )


@router.get("/api/v1/payments/provider-events")
async def provider_events(
    _: Manager,
    session: DbSession,
    page: Pagination,
    provider: str | None = None,
    outcome: str | None = None,
) -> Page[ProviderEventOut]:
    """Webhooks received, newest first; `outcome=unmatched` lists those about payments this
    API does not know (reported, never retried)."""
    statement = repository.provider_events_query(provider=provider, outcome=outcome)
    return await paginate(
        session,
        statement,
        order_by=(ProviderEvent.received_at, ProviderEvent.id),
        params=page,
        descending=True,
        to_item=ProviderEventOut.model_validate,
    )


@router.get("/api/v1/payments/payouts")
async def list_payouts(
    _: Manager,
    session: DbSession,
    page: Pagination,
    provider: PayoutProvider | None = None,
    payout_status: Annotated[PayoutStatus | None, Query(alias="status")] = None,
    date_from: SalonDate | None = None,
    date_to: SalonDate | None = None,
) -> Page[PayoutOut]:
    """Payouts to the salon's bank, newest recorded first, by provider, status and arrival
    date (inclusive)."""
    statement = repository.payouts_query(
        provider=provider, status=payout_status, date_from=date_from, date_to=date_to
    )
    return await paginate(
        session,
        statement,
        order_by=(Payout.created_at, Payout.id),
        params=page,
        descending=True,
        to_item=PayoutOut.of,
    )


@router.post(
    "/api/v1/payments/payouts",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(PayoutAlreadyRecorded, PayoutArrivalInFuture),
)
async def record_payout(body: PayoutIn, staff: Manager, session: DbSession) -> PayoutDetail:
    """Record a payout read on the bank statement (a PayPal withdrawal): once per provider
    and reference (409 `payout_already_recorded`); the books move it from the provider's
    clearing account to the bank, its fees to 627800."""
    payout = await payouts.record_by_staff(
        session,
        provider=PayoutProvider(body.provider),
        reference=body.reference,
        arrived_on=body.arrived_on,
        net_cents=body.net_cents,
        fee_cents=body.fee_cents,
        note=body.note,
        actor_user_id=staff.user_id,
    )
    return PayoutDetail.with_lines(payout, [])


@router.get("/api/v1/payments/payouts/{payout_id}", responses=error_responses(PayoutNotFound))
async def get_payout(payout_id: UUID, _: Manager, session: DbSession) -> PayoutDetail:
    """One payout with its lines: each movement it carried, matched to our payment or refund
    (`matched: false` for one that is none of ours)."""
    return PayoutDetail.with_lines(*await payouts.payout_with_lines(session, payout_id))


@router.get("/api/v1/payments/terminal/readers")
async def list_readers(_: FrontDesk, session: DbSession, page: Pagination) -> Page[ReaderOut]:
    """Paired readers, oldest first."""
    return await paginate(
        session,
        terminal.readers_query(),
        order_by=(TerminalReader.id,),
        params=page,
        to_item=ReaderOut.model_validate,
    )


@router.post(
    "/api/v1/payments/terminal/readers",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(*_PROVIDER_ERRORS),
)
async def pair_reader(body: ReaderIn, _: Manager, session: DbSession) -> ReaderOut:
    """Pair a SumUp reader with the code it shows on its screen."""
    reader = await terminal.pair_reader(session, pairing_code=body.pairing_code, name=body.name)
    return ReaderOut.model_validate(reader)


@router.delete(
    "/api/v1/payments/terminal/readers/{reader_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(ReaderNotFound, *_PROVIDER_ERRORS),
)
async def remove_reader(reader_id: UUID, _: Manager, session: DbSession) -> None:
    await terminal.remove_reader(session, reader_id)


def _balance_fields(balance: Balance) -> dict[str, int]:
    return {
        "total_cents": balance.total_cents,
        "deposit_cents": balance.deposit_cents,
        "paid_cents": balance.paid_cents,
        "in_progress_cents": balance.in_progress_cents,
        "due_cents": balance.due_cents,
        "tips_cents": balance.tips_cents,
        "refunded_cents": balance.refunded_cents,
        "kept_cents": balance.kept_cents,
    }


@router.get("/api/v1/bookings/{booking_id}/balance", responses=error_responses(NotFound))
async def booking_balance(booking_id: UUID, _: FrontDesk, session: DbSession) -> BalanceOut:
    """What a booking costs, what was paid (deposit included), what is on the reader now,
    and what is left to take."""
    balance = await flows.subject_balance(session, ("booking", booking_id))
    return BalanceOut(booking_id=booking_id, **_balance_fields(balance))


@router.get("/api/v1/payments/balance", responses=error_responses(NotFound, UnknownSubjectKind))
async def subject_balance(
    _: FrontDesk,
    session: DbSession,
    subject_kind: Annotated[str, Query(min_length=1, max_length=16, pattern=r"^[a-z_]+$")],
    subject_id: UUID,
) -> SubjectBalanceOut:
    """The balance of anything payable: what it costs, what paid for it (every tender of a
    split), what is on the reader, what went back, and what is left to take."""
    balance = await flows.subject_balance(session, (subject_kind, subject_id))
    return SubjectBalanceOut(
        subject_kind=subject_kind, subject_id=subject_id, **_balance_fields(balance)
    )


@router.get("/api/v1/payments/{payment_id}", responses=error_responses(PaymentNotFound))
async def get_payment(payment: PaymentForStaff, session: DbSession) -> PaymentDetail:
    """One payment with its refunds, its history, the webhooks about it and its tips."""
    return as_detail(payment, *await reports.payment_story(session, payment.id))


@router.post(
    "/api/v1/payments/{payment_id}/refunds",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        PaymentNotFound,
        PaymentNotRefundable,
        RefundExceedsPayment,
        RefundAboveReceptionistLimit,
        *_PROVIDER_ERRORS,
    ),
)
async def refund_payment(
    payment: PaymentForStaff, body: RefundIn, staff: FrontDesk, session: DbSession
) -> RefundOut:
    """Refund all or part of a payment (through its provider; cash is handed back). The
    purchase of a gift card refunds only what is unspent, which leaves the card (409
    `gift_card_partly_spent` with `unspent_cents` beyond that; docs/giftcards.md).
    Reception refunds up to PAYMENTS_RECEPTIONIST_REFUND_LIMIT_CENTS on one payment."""
    refund = await flows.refund_by_staff(
        session, payment, amount_cents=body.amount_cents, reason=body.reason, staff=staff
    )
    return RefundOut.model_validate(refund)


@router.post(
    "/api/v1/payments/{payment_id}/cancel",
    responses=error_responses(PaymentNotFound, PaymentNotCancellable, *_PROVIDER_ERRORS),
)
async def cancel_payment(
    payment: PaymentForStaff, staff: FrontDesk, session: DbSession
) -> PaymentOut:
    """Stop a payment in progress: the checkout on the reader, an unpaid online payment."""
    await checkout.cancel(session, payment, staff_user_id=staff.user_id)
    return PaymentOut.model_validate(payment)


@router.post(
    "/api/v1/payments/{payment_id}/refresh",
    responses=error_responses(PaymentNotFound, *_PROVIDER_ERRORS),
)
async def refresh_payment(payment: PaymentForStaff, session: DbSession) -> PaymentOut:
    """Ask the provider where this payment stands now (when a webhook seems late)."""
    await webhooks.refresh(session, payment, source="staff")
    return PaymentOut.model_validate(payment)


# --- the client's saved cards ------------------------------------------------------------


@router.get("/api/v1/me/saved-cards")
async def my_saved_cards(principal: ClientSelf, session: DbSession) -> Page[SavedCardOut]:
    """Her saved cards, newest first (one page)."""
    cards = await repository.active_cards(session, await flows.own_client(session, principal))
    return Page[SavedCardOut](items=[SavedCardOut.model_validate(c) for c in cards])


@router.post(
    "/api/v1/me/saved-cards",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(MethodNotAllowed, *_PROVIDER_ERRORS),
)
async def save_card(body: CardSetupIn, principal: ClientSelf, session: DbSession) -> CardSetupOut:
    """Start saving a card (Stripe SetupIntent): confirm it on the site with the
    `client_secret`; the card is active once Stripe tells us it is set up."""
    client_id = await flows.own_client(session, principal)
    card, secret = await cards.start_card_setup(
        session, client_id=client_id, consent_text=cards.card_consent_text()
    )
    adapter = providers.stripe_provider()
    return CardSetupOut(id=card.id, client_secret=secret, publishable_key=adapter.publishable_key)


@router.post(
    "/api/v1/me/saved-cards/{card_id}/simulate",
    responses=error_responses(NotFound, SimulationNotAvailable),
)
async def simulate_card_setup(
    card_id: UUID, principal: ClientSelf, session: DbSession
) -> SavedCardOut:
    """Development only: complete a card setup made with the console adapter (no Stripe
    keys), as Stripe's `setup_intent.succeeded` would. Refused in production and for real
    cards."""
    card = await flows.simulate_card_setup(session, principal, card_id)
    return SavedCardOut.model_validate(card)


@router.delete(
    "/api/v1/me/saved-cards/{card_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(NotFound, *_PROVIDER_ERRORS),
)
async def remove_saved_card(card_id: UUID, principal: ClientSelf, session: DbSession) -> None:
    await flows.remove_saved_card(session, principal, card_id)


# --- provider webhooks -------------------------------------------------------------------

_WEBHOOK_ERRORS = error_responses(
    InvalidWebhookSignature, InvalidWebhookPayload, WebhookNotConfigured
)


@webhook_router.post("/api/v1/webhooks/stripe", responses=_WEBHOOK_ERRORS)
async def stripe_webhook(
    request: Request,
    session: DbSession,
    stripe_signature: Annotated[str | None, Header(alias="Stripe-Signature")] = None,
) -> WebhookAck:
    """Stripe events, verified with `STRIPE_WEBHOOK_SECRET`, applied once."""
    received = await inbox.receive_stripe(session, await request.body(), stripe_signature)
    return WebhookAck(outcome=received.outcome, payment_id=received.payment_id)


@webhook_router.post("/api/v1/webhooks/paypal", responses=_WEBHOOK_ERRORS)
async def paypal_webhook(request: Request, session: DbSession) -> WebhookAck:
    """PayPal events, verified by PayPal's verify-webhook-signature call, applied once."""
    received = await inbox.receive_paypal(session, await request.body(), request.headers)
    return WebhookAck(outcome=received.outcome, payment_id=received.payment_id)


@webhook_router.post("/api/v1/webhooks/sumup", responses=_WEBHOOK_ERRORS)
async def sumup_webhook(
    request: Request, session: DbSession, token: str | None = None
) -> WebhookAck:
    """The card reader's result, posted to the callback URL we signed for that payment. The
    status in the body is not trusted: SumUp is asked before anything changes."""
    received = await inbox.receive_sumup(session, await request.body(), token)
    return WebhookAck(outcome=received.outcome, payment_id=received.payment_id)
