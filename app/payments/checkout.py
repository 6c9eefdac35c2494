"""Taking money: online deposits (Stripe, PayPal), balances in the salon (card terminal, cash,
transfer), a fee on a saved card. Amounts always come from the booking, never the browser."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import public as bookings
from app.clients import public as clients
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.ids import new_id
from app.core.urls import api_url
from app.integrations.sumup.webhooks import sumup_callback_token
from app.payments import ledger, providers
from app.payments.errors import (
    AmountExceedsBalance,
    BookingNotPayable,
    DepositAlreadyPaid,
    DepositNotDue,
    FeeNotAllowed,
    MethodNotAllowed,
    NoSavedCard,
    NothingToPay,
    PaymentNotCancellable,
    PaymentNotCapturable,
    ReaderNotFound,
    ReaderRequired,
)
from app.payments.models import (
    OPEN,
    STAFF_RECORDED_METHODS,
    TAKEN,
    Payment,
    PaymentMethod,
    PaymentPurpose,
    PaymentStatus,
    Provider,
    ProviderCustomer,
    SavedCard,
    SavedCardStatus,
    SubjectKind,
    TerminalReader,
)
from app.payments.providers import Charge, ProviderState

_BALANCE_STATUSES = {"confirmed", "checked_in", "completed"}


def card_consent_text() -> str:
    """What the client agrees to when she saves a card (she reads it: French)."""
    return (
        f"J'autorise {get_settings().salon.name} à débiter cette carte en cas d'absence ou "
        "d'annulation tardive d'un rendez-vous, selon les conditions que j'ai acceptées."
    )


@dataclass(frozen=True, slots=True)
class Checkout:
    """A payment just opened, with what the site needs to complete it."""

    payment: Payment
    client_secret: str | None = None
    publishable_key: str | None = None


def _new_payment(
    *,
    method: PaymentMethod,
    purpose: PaymentPurpose,
    amount_cents: int,
    booking: bookings.PayableBooking | None,
    provider: Provider,
    tip_cents: int = 0,
    taken_by_user_id: UUID | None = None,
    note: str | None = None,
    subject: tuple[SubjectKind, UUID] | None = None,
    client_id: UUID | None = None,
) -> Payment:
    now = utcnow()
    kind, subject_id = subject or (SubjectKind.booking, booking.id if booking else new_id())
    return Payment(
        id=new_id(),
        method=method,
        purpose=purpose,
        status=PaymentStatus.pending,
        amount_cents=amount_cents,
        tip_cents=tip_cents,
        refunded_cents=0,
        currency=get_settings().salon.currency,
        subject_kind=kind,
        subject_id=subject_id,
        booking_id=booking.id if booking else None,
        client_id=booking.client_id if booking else client_id,
        provider=provider,
        taken_by_user_id=taken_by_user_id,
        note=note,
        created_at=now,
        updated_at=now,
    )


def _apply_start(payment: Payment, state: ProviderState) -> None:
    payment.provider_ref = state.ref
    payment.provider_session_ref = state.session_ref
    payment.approval_url = state.approval_url
    if state.status is PaymentStatus.requires_action:
        payment.status = PaymentStatus.requires_action


async def _customer_ref(session: AsyncSession, client_id: UUID) -> str | None:
    """The Stripe customer of a client with an account, created on her first payment."""
    client = await clients.get_client(session, client_id)
    if client.user_id is None:
        return None
    adapter = providers.stripe_provider()
    existing = await session.scalar(
        select(ProviderCustomer.customer_ref).where(
            ProviderCustomer.client_id == client_id,
            ProviderCustomer.provider == adapter.provider,
        )
    )
    if existing:
        return existing
    ref = await adapter.ensure_customer(
        client_id=str(client_id),
        email=client.email,
        name=f"{client.first_name} {client.last_name}",
    )
    session.add(
        ProviderCustomer(
            id=new_id(),
            client_id=client_id,
            provider=adapter.provider,
            customer_ref=ref,
            created_at=utcnow(),
        )
    )
    return ref


async def start_deposit(
    session: AsyncSession,
    *,
    booking_id: UUID,
    method: PaymentMethod,
    return_url: str | None,
    cancel_url: str | None,
) -> Checkout:
    """Open the deposit payment of a held booking (or return the one already open)."""
    booking = await bookings.payable_booking(session, booking_id, lock=True)
    taken = await _deposits(session, booking.id, TAKEN)
    if taken:
        raise DepositAlreadyPaid()
    if booking.status != "pending_payment" or booking.deposit_cents <= 0:
        raise DepositNotDue(
            f"Only a booking held for its deposit can be paid online; this one is {booking.status}."
        )
    adapter = providers.for_method(method)
    open_ = [p for p in await _deposits(session, booking.id, OPEN) if p.method == method]
    if open_:
        payment = open_[0]
        state = await providers.for_provider(payment.provider, method).fetch(
            payment.provider_ref or "", session_ref=payment.provider_session_ref
        )
        return Checkout(payment, state.client_secret, _publishable_key(payment))
    payment = _new_payment(
        method=method,
        purpose=PaymentPurpose.deposit,
        amount_cents=booking.deposit_cents,
        booking=booking,
        provider=adapter.provider,
    )
    customer = (
        await _customer_ref(session, booking.client_id) if method is PaymentMethod.stripe else None
    )
    session.add(payment)
    await session.flush()
    state = await adapter.start(
        Charge(
            payment_id=payment.id,
            amount_cents=payment.amount_cents,
            currency=payment.currency,
            description=f"Arrhes — {get_settings().salon.name}",
            customer_ref=customer,
            return_url=return_url,
            cancel_url=cancel_url,
        )
    )
    _apply_start(payment, state)
    ledger.log(session, payment, kind="created", source="api")
    return Checkout(payment, state.client_secret, _publishable_key(payment))


def _publishable_key(payment: Payment) -> str | None:
    if payment.method != PaymentMethod.stripe:
        return None
    if payment.provider == Provider.console:
        return "pk_console"
    return get_settings().stripe.publishable_key


async def _deposits(
    session: AsyncSession, booking_id: UUID, statuses: frozenset[PaymentStatus]
) -> list[Payment]:
    return list(
        await session.scalars(
            select(Payment)
            .where(
                Payment.booking_id == booking_id,
                Payment.purpose == PaymentPurpose.deposit,
                Payment.status.in_(statuses),
            )
            .order_by(Payment.created_at)
        )
    )


async def capture(session: AsyncSession, payment: Payment, *, source: str) -> Payment:
    """Capture a PayPal order the client approved (the site calls this when she comes back;
    the CHECKOUT.ORDER.APPROVED webhook does it too, whichever comes first)."""
    if payment.method != PaymentMethod.paypal:
        raise PaymentNotCapturable("Only PayPal orders are captured.")
    if PaymentStatus(payment.status) in TAKEN:
        return payment
    if PaymentStatus(payment.status) not in OPEN or payment.provider_ref is None:
        raise PaymentNotCapturable(f"A payment that is {payment.status} cannot be captured.")
    adapter = (
        providers.PayPalConsole()
        if payment.provider == Provider.console
        else providers.paypal_provider()
    )
    state = await adapter.capture(payment.provider_ref, key=f"capture-{payment.id}")
    await ledger.apply_state(session, payment, state, source=source)
    return payment


async def take_in_person(
    session: AsyncSession,
    *,
    booking_id: UUID,
    method: PaymentMethod,
    amount_cents: int | None,
    tip_cents: int,
    reader_id: UUID | None,
    note: str | None,
    staff_user_id: UUID,
) -> Payment:
    """Take (part of) what is left to pay for a booking, and a tip, at the salon."""
    if method not in STAFF_RECORDED_METHODS | {PaymentMethod.sumup_terminal}:
        raise MethodNotAllowed(
            "At the salon, take the balance with `sumup_terminal`, `cash` or `bank_transfer`."
        )
    booking = await bookings.payable_booking(session, booking_id, lock=True)
    if booking.status not in _BALANCE_STATUSES:
        raise BookingNotPayable(f"A booking that is {booking.status} has no balance to take.")
    balance = await ledger.booking_balance(session, booking)
    amount = balance.due_cents if amount_cents is None else amount_cents
    if amount > balance.due_cents:
        raise AmountExceedsBalance(
            f"{balance.due_cents} cents are due on this booking.",
            extra={"due_cents": balance.due_cents},
        )
    if amount + tip_cents <= 0:
        raise NothingToPay(extra={"due_cents": balance.due_cents})
    reader = None
    if method is PaymentMethod.sumup_terminal:
        reader = await _reader(session, reader_id)
    adapter = providers.terminal() if reader else None
    payment = _new_payment(
        method=method,
        purpose=PaymentPurpose.balance if amount else PaymentPurpose.tip,
        amount_cents=amount + tip_cents,
        tip_cents=tip_cents,
        booking=booking,
        provider=adapter.provider if adapter else Provider.none,
        taken_by_user_id=staff_user_id,
        note=note,
    )
    session.add(payment)
    await session.flush()
    ledger.log(session, payment, kind="created", source="staff", actor_user_id=staff_user_id)
    if adapter is None or reader is None:
        state = ProviderState(ref="", status=PaymentStatus.succeeded)
        await ledger.apply_state(
            session, payment, state, source="staff", actor_user_id=staff_user_id
        )
        return payment
    payment.reader_id = reader.id
    token = sumup_callback_token(payment.id)
    state = await adapter.start(
        Charge(
            payment_id=payment.id,
            amount_cents=payment.amount_cents,
            currency=payment.currency,
            description=get_settings().salon.name[:100],
            reader_ref=reader.provider_reader_id,
            return_url=api_url("api", "v1", "webhooks", "sumup", query={"token": token}),
        )
    )
    _apply_start(payment, state)
    return payment


async def _reader(session: AsyncSession, reader_id: UUID | None) -> TerminalReader:
    if reader_id is None:
        raise ReaderRequired()
    reader = await session.get(TerminalReader, reader_id)
    if reader is None or reader.removed_at is not None:
        raise ReaderNotFound()
    return reader


async def cancel(session: AsyncSession, payment: Payment, *, staff_user_id: UUID | None) -> Payment:
    """Stop a payment still in progress (a checkout on the reader, an unpaid PaymentIntent)."""
    if PaymentStatus(payment.status) not in OPEN | {PaymentStatus.failed}:
        raise PaymentNotCancellable(f"A payment that is {payment.status} cannot be cancelled.")
    if payment.provider_ref:
        reader_ref = None
        if payment.reader_id:
            reader = await session.get(TerminalReader, payment.reader_id)
            reader_ref = reader.provider_reader_id if reader else None
        adapter = providers.for_provider(payment.provider, PaymentMethod(payment.method))
        await adapter.cancel(payment.provider_ref, reader_ref=reader_ref)
    await ledger.apply_state(
        session,
        payment,
        ProviderState(ref=payment.provider_ref or "", status=PaymentStatus.cancelled),
        source="staff" if staff_user_id else "api",
        actor_user_id=staff_user_id,
    )
    return payment


async def charge_no_show_fee(
    session: AsyncSession, *, booking_id: UUID, amount_cents: int, staff_user_id: UUID
) -> Payment:
    """Charge the client's saved card after a no-show or a late cancellation, never more than
    the booking's price less what was already kept."""
    booking = await bookings.payable_booking(session, booking_id, lock=True)
    if not (
        booking.status == "no_show" or (booking.status == "cancelled" and booking.late_cancellation)
    ):
        raise FeeNotAllowed()
    balance = await ledger.booking_balance(session, booking)
    fees = await session.scalars(
        select(Payment).where(
            Payment.booking_id == booking.id,
            Payment.purpose == PaymentPurpose.no_show_fee,
            Payment.status.in_(TAKEN | OPEN),
        )
    )
    ceiling = booking.total_cents - balance.paid_cents - sum(f.amount_cents for f in fees)
    if amount_cents > ceiling:
        raise AmountExceedsBalance(
            f"At most {max(ceiling, 0)} cents can be charged for this booking.",
            extra={"due_cents": max(ceiling, 0)},
        )
    card = await session.scalar(
        select(SavedCard)
        .where(SavedCard.client_id == booking.client_id, SavedCard.status == SavedCardStatus.active)
        .order_by(SavedCard.consented_at.desc())
        .limit(1)
    )
    customer = await session.scalar(
        select(ProviderCustomer.customer_ref).where(
            ProviderCustomer.client_id == booking.client_id,
            ProviderCustomer.provider == (card.provider if card else None),
        )
    )
    if card is None or card.payment_method_ref is None or customer is None:
        raise NoSavedCard()
    adapter = (
        providers.stripe_provider()
        if card.provider == Provider.stripe
        else providers.StripeConsole()
    )
    payment = _new_payment(
        method=PaymentMethod.stripe,
        purpose=PaymentPurpose.no_show_fee,
        amount_cents=amount_cents,
        booking=booking,
        provider=adapter.provider,
        taken_by_user_id=staff_user_id,
    )
    session.add(payment)
    await session.flush()
    ledger.log(session, payment, kind="created", source="staff", actor_user_id=staff_user_id)
    state = await adapter.charge_saved_card(
        Charge(
            payment_id=payment.id,
            amount_cents=amount_cents,
            currency=payment.currency,
            description=f"Frais d'absence — {get_settings().salon.name}",
        ),
        customer_ref=customer,
        payment_method_ref=card.payment_method_ref,
    )
    payment.provider_ref = state.ref
    await ledger.apply_state(session, payment, state, source="staff", actor_user_id=staff_user_id)
    return payment


async def start_card_setup(
    session: AsyncSession, *, client_id: UUID, consent_text: str
) -> tuple[SavedCard, str]:
    """Open a SetupIntent so the client saves a card; returns it and its client secret."""
    adapter = providers.stripe_provider()
    customer = await _customer_ref(session, client_id)
    if customer is None:
        raise MethodNotAllowed("Saving a card needs a client account.")
    now = utcnow()
    card_id = new_id()
    setup_ref, secret = await adapter.setup_card(customer_ref=customer, key=f"setup-{card_id}")
    card = SavedCard(
        id=card_id,
        client_id=client_id,
        provider=adapter.provider,
        setup_ref=setup_ref,
        status=SavedCardStatus.pending,
        consent_text=consent_text,
        consented_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(card)
    await session.flush()
    return card, secret


async def remove_card(session: AsyncSession, card: SavedCard) -> None:
    if card.payment_method_ref and card.status == SavedCardStatus.active:
        adapter = providers.stripe_provider() if card.provider == Provider.stripe else None
        if adapter is not None:
            await adapter.detach_card(card.payment_method_ref)
    card.status, card.updated_at = SavedCardStatus.removed, utcnow()


async def start_purchase(
    session: AsyncSession,
    *,
    subject: tuple[SubjectKind, UUID],
    amount_cents: int,
    client_id: UUID | None,
    method: PaymentMethod,
    description: str,
    return_url: str | None,
    cancel_url: str | None,
) -> Checkout:
    """Open an online payment for something other than a booking (a gift card…); the amount
    comes from the caller's own records."""
    adapter = providers.for_method(method)
    payment = _new_payment(
        method=method,
        purpose=PaymentPurpose.full,
        amount_cents=amount_cents,
        booking=None,
        provider=adapter.provider,
        subject=subject,
        client_id=client_id,
    )
    session.add(payment)
    await session.flush()
    state = await adapter.start(
        Charge(
            payment_id=payment.id,
            amount_cents=amount_cents,
            currency=payment.currency,
            description=description,
            return_url=return_url,
            cancel_url=cancel_url,
        )
    )
    _apply_start(payment, state)
    ledger.log(session, payment, kind="created", source="api")
    return Checkout(payment, state.client_secret, _publishable_key(payment))


async def record_in_salon_sale(
    session: AsyncSession,
    *,
    subject: tuple[SubjectKind, UUID],
    amount_cents: int,
    client_id: UUID | None,
    method: PaymentMethod,
    staff_user_id: UUID,
) -> Payment:
    """Cash or a transfer taken at the desk for something other than a booking."""
    if method not in STAFF_RECORDED_METHODS:
        raise MethodNotAllowed("At the desk, record `cash` or `bank_transfer` here.")
    payment = _new_payment(
        method=method,
        purpose=PaymentPurpose.full,
        amount_cents=amount_cents,
        booking=None,
        provider=Provider.none,
        taken_by_user_id=staff_user_id,
        subject=subject,
        client_id=client_id,
    )
    session.add(payment)
    await session.flush()
    ledger.log(session, payment, kind="created", source="staff", actor_user_id=staff_user_id)
    await ledger.apply_state(
        session,
        payment,
        ProviderState(ref="", status=PaymentStatus.succeeded),
        source="staff",
        actor_user_id=staff_user_id,
    )
    return payment


async def record_gift_card_payment(
    session: AsyncSession,
    *,
    booking_id: UUID,
    amount_cents: int | None,
    available_cents: int,
    gift_card_id: UUID,
    staff_user_id: UUID | None,
) -> Payment:
    """Pay (part of) a booking's balance with a gift card: never more than is due, nor than
    the card holds. The caller has locked the card and records the matching redemption."""
    booking = await bookings.payable_booking(session, booking_id, lock=True)
    if booking.status == "pending_payment":
        # A held booking: the card pays its whole deposit, which confirms it.
        if await _deposits(session, booking.id, TAKEN):
            raise DepositAlreadyPaid()
        if available_cents < booking.deposit_cents:
            raise NothingToPay(
                "The card does not cover the deposit: pay it by card instead.",
                extra={"due_cents": booking.deposit_cents},
            )
        return await _gift_card_payment(
            session,
            booking,
            booking.deposit_cents,
            PaymentPurpose.deposit,
            gift_card_id,
            staff_user_id,
        )
    if booking.status not in _BALANCE_STATUSES:
        raise BookingNotPayable(f"A booking that is {booking.status} has no balance to take.")
    balance = await ledger.booking_balance(session, booking)
    amount = min(balance.due_cents, available_cents) if amount_cents is None else amount_cents
    if amount > balance.due_cents:
        raise AmountExceedsBalance(
            f"{balance.due_cents} cents are due on this booking.",
            extra={"due_cents": balance.due_cents},
        )
    if amount <= 0:
        raise NothingToPay(extra={"due_cents": balance.due_cents})
    return await _gift_card_payment(
        session, booking, amount, PaymentPurpose.balance, gift_card_id, staff_user_id
    )


async def _gift_card_payment(
    session: AsyncSession,
    booking: bookings.PayableBooking,
    amount: int,
    purpose: PaymentPurpose,
    gift_card_id: UUID,
    staff_user_id: UUID | None,
) -> Payment:
    payment = _new_payment(
        method=PaymentMethod.gift_card,
        purpose=purpose,
        amount_cents=amount,
        booking=booking,
        provider=Provider.none,
        taken_by_user_id=staff_user_id,
        note=f"gift card {gift_card_id}",
    )
    payment.provider_ref = f"gift_card:{gift_card_id}:{payment.id}"
    session.add(payment)
    await session.flush()
    source = "staff" if staff_user_id else "api"
    ledger.log(session, payment, kind="created", source=source, actor_user_id=staff_user_id)
    await ledger.apply_state(
        session,
        payment,
        ProviderState(ref=payment.provider_ref, status=PaymentStatus.succeeded),
        source=source,
        actor_user_id=staff_user_id,
    )
    return payment
