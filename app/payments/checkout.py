"""Taking money online: a deposit (Stripe, PayPal), a purchase of anything payable, a fee on
a saved card, and the shared steps of every payment. Amounts always come from what is paid
for (its payable, `app/core/payables.py`), never the browser."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.core import payables
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.ids import new_id
from app.core.payables import Due, Stage, Subject
from app.payments import ledger, providers, repository
from app.payments.balances import balance_of
from app.payments.errors import (
    AmountExceedsBalance,
    DepositAlreadyPaid,
    DepositNotDue,
    FeeNotAllowed,
    NoSavedCard,
    NothingToPay,
    PaymentNotCancellable,
    PaymentNotCapturable,
)
from app.payments.models import (
    OPEN,
    TAKEN,
    Payment,
    PaymentMethod,
    PaymentPurpose,
    PaymentStatus,
    Provider,
    ProviderCustomer,
    TerminalReader,
)
from app.payments.providers import Charge, ProviderState


@dataclass(frozen=True, slots=True)
class Checkout:
    """A payment just opened, with what the site needs to complete it."""

    payment: Payment
    client_secret: str | None = None
    publishable_key: str | None = None


def new_payment(
    subject: Subject,
    *,
    method: PaymentMethod,
    purpose: PaymentPurpose,
    amount_cents: int,
    client_id: UUID | None,
    provider: Provider,
    tip_cents: int = 0,
    taken_by_user_id: UUID | None = None,
    note: str | None = None,
    gift_card_id: UUID | None = None,
) -> Payment:
    """A new payment row, pending, for `subject`."""
    kind, subject_id = subject
    now = utcnow()
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
        booking_id=subject_id if kind == "booking" else None,
        gift_card_id=gift_card_id,
        client_id=client_id,
        provider=provider,
        taken_by_user_id=taken_by_user_id,
        note=note,
        created_at=now,
        updated_at=now,
    )


async def due_of(session: AsyncSession, subject: Subject, *, lock: bool = False) -> Due:
    """What the owner of `subject` says is due (an unknown kind: `unknown_subject_kind`)."""
    kind, subject_id = subject
    return await payables.get(kind).due(session, subject_id, lock=lock)


def refuse(subject: Subject, due: Due) -> None:
    """The owner's error for a subject whose stage takes no money now."""
    kind = subject[0].replace("_", " ")
    raise payables.get(subject[0]).not_payable(
        f"A {kind} that is {due.status or due.stage} has no balance to take."
    )


async def record_taken(
    session: AsyncSession, payment: Payment, *, staff_user_id: UUID | None
) -> Payment:
    """A payment the desk takes at once (cash, transfer, a gift card): recorded, then
    succeeded through the same rules as any other."""
    session.add(payment)
    await session.flush()
    source = "staff" if staff_user_id else "api"
    ledger.log(session, payment, kind="created", source=source, actor_user_id=staff_user_id)
    await ledger.apply_state(
        session,
        payment,
        ProviderState(ref="", status=PaymentStatus.succeeded),
        source=source,
        actor_user_id=staff_user_id,
    )
    return payment


def apply_start(payment: Payment, state: ProviderState) -> None:
    payment.provider_ref = state.ref
    payment.provider_session_ref = state.session_ref
    payment.approval_url = state.approval_url
    if state.status is PaymentStatus.requires_action:
        payment.status = PaymentStatus.requires_action


async def customer_ref_of(session: AsyncSession, client_id: UUID) -> str | None:
    """The Stripe customer of a client with an account, created on her first payment."""
    client = await clients.get_client(session, client_id)
    if client.user_id is None:
        return None
    adapter = providers.stripe_provider()
    existing = await repository.customer_ref(session, client_id, adapter.provider)
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
    subject: Subject,
    method: PaymentMethod,
    return_url: str | None,
    cancel_url: str | None,
) -> Checkout:
    """Open the deposit payment of a subject held for it (a booking's hold), or return the
    one already open for that method."""
    due = await due_of(session, subject, lock=True)
    if await _deposits(session, subject, TAKEN):
        raise DepositAlreadyPaid()
    if due.stage is not Stage.awaiting_deposit or due.deposit_cents <= 0:
        kind = subject[0].replace("_", " ")
        raise DepositNotDue(
            f"Only a {kind} held for its deposit can be paid online; this one is {due.status}."
        )
    open_ = [p for p in await _deposits(session, subject, OPEN) if p.method == method]
    if open_:
        payment = open_[0]
        state = await providers.for_provider(payment.provider, method).fetch(
            payment.provider_ref or "", session_ref=payment.provider_session_ref
        )
        return Checkout(payment, state.client_secret, _publishable_key(payment))
    return await _start_online(
        session,
        new_payment(
            subject,
            method=method,
            purpose=PaymentPurpose.deposit,
            amount_cents=due.deposit_cents,
            client_id=due.client_id,
            provider=providers.for_method(method).provider,
        ),
        description=f"Arrhes — {get_settings().salon.name}",
        return_url=return_url,
        cancel_url=cancel_url,
    )


async def _start_online(
    session: AsyncSession,
    payment: Payment,
    *,
    description: str,
    return_url: str | None,
    cancel_url: str | None,
) -> Checkout:
    """Store the payment, then open its checkout at the provider (keyed by the payment)."""
    method = PaymentMethod(payment.method)
    customer = None
    if method is PaymentMethod.stripe and payment.client_id is not None:
        customer = await customer_ref_of(session, payment.client_id)
    session.add(payment)
    await session.flush()
    state = await providers.for_method(method).start(
        Charge(
            payment_id=payment.id,
            amount_cents=payment.amount_cents,
            currency=payment.currency,
            description=description,
            customer_ref=customer,
            return_url=return_url,
            cancel_url=cancel_url,
        )
    )
    apply_start(payment, state)
    ledger.log(session, payment, kind="created", source="api")
    return Checkout(payment, state.client_secret, _publishable_key(payment))


def _publishable_key(payment: Payment) -> str | None:
    if payment.method != PaymentMethod.stripe:
        return None
    if payment.provider == Provider.console:
        return "pk_console"
    return get_settings().stripe.publishable_key


async def _deposits(
    session: AsyncSession, subject: Subject, statuses: frozenset[PaymentStatus]
) -> list[Payment]:
    return await repository.payments_of(
        session, subject, purposes=[PaymentPurpose.deposit], statuses=statuses
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
    session: AsyncSession, *, subject: Subject, amount_cents: int, staff_user_id: UUID
) -> Payment:
    """Charge the client's saved card when the subject allows a fee (a booking after a
    no-show or a late cancellation), never more than its price less what was already kept."""
    due = await due_of(session, subject, lock=True)
    if not due.no_show_fee_allowed or due.client_id is None:
        raise FeeNotAllowed()
    balance = await balance_of(session, subject, due)
    fees = await repository.payments_of(
        session, subject, purposes=[PaymentPurpose.no_show_fee], statuses=TAKEN | OPEN
    )
    ceiling = due.total_cents - balance.paid_cents - sum(f.amount_cents for f in fees)
    if amount_cents > ceiling:
        raise AmountExceedsBalance(
            f"At most {max(ceiling, 0)} cents can be charged for this booking.",
            extra={"due_cents": max(ceiling, 0)},
        )
    card = await repository.latest_active_card(session, due.client_id)
    customer = await repository.customer_ref(
        session, due.client_id, card.provider if card else None
    )
    if card is None or card.payment_method_ref is None or customer is None:
        raise NoSavedCard()
    adapter = (
        providers.stripe_provider()
        if card.provider == Provider.stripe
        else providers.StripeConsole()
    )
    payment = new_payment(
        subject,
        method=PaymentMethod.stripe,
        purpose=PaymentPurpose.no_show_fee,
        amount_cents=amount_cents,
        client_id=due.client_id,
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


async def start_purchase(
    session: AsyncSession,
    *,
    subject: Subject,
    method: PaymentMethod,
    return_url: str | None,
    cancel_url: str | None,
    amount_cents: int | None = None,
) -> Checkout:
    """Pay what is left of anything payable online (a gift card bought on the site…): the
    amount, the payer and the statement line come from its owner; `amount_cents` may take
    part of it (a split with another tender)."""
    due = await due_of(session, subject, lock=True)
    if due.stage is not Stage.open:
        refuse(subject, due)
    left = (await balance_of(session, subject, due)).due_cents
    amount = left if amount_cents is None else amount_cents
    if amount > left:
        raise AmountExceedsBalance(f"{left} cents are due.", extra={"due_cents": left})
    if amount <= 0:
        raise NothingToPay(extra={"due_cents": left})
    return await _start_online(
        session,
        new_payment(
            subject,
            method=method,
            purpose=PaymentPurpose.full if amount == due.total_cents else PaymentPurpose.balance,
            amount_cents=amount,
            client_id=due.client_id,
            provider=providers.for_method(method).provider,
        ),
        description=due.description,
        return_url=return_url,
        cancel_url=cancel_url,
    )
