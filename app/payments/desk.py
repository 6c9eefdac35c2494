"""Taking money at the salon for anything payable: the SumUp card reader, cash, a transfer, a
gift card as a tender; several of them on one subject (a split) until nothing is due."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.core.payables import Due, Stage, Subject
from app.core.urls import api_url
from app.integrations.sumup.webhooks import sumup_callback_token
from app.payments import ledger, providers
from app.payments.balances import balance_of
from app.payments.checkout import apply_start, due_of, new_payment, record_taken, refuse
from app.payments.errors import (
    AmountExceedsBalance,
    DepositAlreadyPaid,
    MethodNotAllowed,
    NothingToPay,
    ReaderNotFound,
    ReaderRequired,
    TipNotAllowed,
)
from app.payments.models import (
    STAFF_RECORDED_METHODS,
    TAKEN,
    Payment,
    PaymentMethod,
    PaymentPurpose,
    Provider,
    TerminalReader,
)
from app.payments.providers import Charge
from app.payments.repository import payments_of

DESK_METHODS = STAFF_RECORDED_METHODS | {PaymentMethod.sumup_terminal}


async def _left_to_pay(
    session: AsyncSession, subject: Subject, due: Due, amount_cents: int | None
) -> tuple[int, int]:
    """(the amount asked, or all that is due; what is due), refusing more than is due."""
    left = (await balance_of(session, subject, due)).due_cents
    amount = left if amount_cents is None else amount_cents
    if amount > left:
        kind = subject[0].replace("_", " ")
        raise AmountExceedsBalance(
            f"{left} cents are due on this {kind}.", extra={"due_cents": left}
        )
    return amount, left


async def take_in_person(
    session: AsyncSession,
    *,
    subject: Subject,
    method: PaymentMethod,
    amount_cents: int | None,
    tip_cents: int,
    reader_id: UUID | None,
    note: str | None,
    staff_user_id: UUID,
) -> Payment:
    """Take (part of) what is left to pay for a subject, and a tip for whoever served."""
    if method not in DESK_METHODS:
        raise MethodNotAllowed(
            "At the salon, take the balance with `sumup_terminal`, `cash` or `bank_transfer`."
        )
    due = await due_of(session, subject, lock=True)
    if due.stage is not Stage.open:
        refuse(subject, due)
    if tip_cents and not due.practitioner_shares:
        raise TipNotAllowed()
    amount, left = await _left_to_pay(session, subject, due, amount_cents)
    if amount + tip_cents <= 0:
        raise NothingToPay(extra={"due_cents": left})
    reader = await _reader(session, reader_id) if method is PaymentMethod.sumup_terminal else None
    adapter = providers.terminal() if reader else None
    payment = new_payment(
        subject,
        method=method,
        purpose=PaymentPurpose.balance if amount else PaymentPurpose.tip,
        amount_cents=amount + tip_cents,
        tip_cents=tip_cents,
        client_id=due.client_id,
        provider=adapter.provider if adapter else Provider.none,
        taken_by_user_id=staff_user_id,
        note=note,
    )
    if adapter is None or reader is None:
        return await record_taken(session, payment, staff_user_id=staff_user_id)
    session.add(payment)
    await session.flush()
    ledger.log(session, payment, kind="created", source="staff", actor_user_id=staff_user_id)
    payment.reader_id = reader.id
    token = sumup_callback_token(payment.id)
    state = await adapter.start(
        Charge(
            payment_id=payment.id,
            amount_cents=payment.amount_cents,
            currency=payment.currency,
            description=(due.description or get_settings().salon.name)[:100],
            reader_ref=reader.provider_reader_id,
            return_url=api_url("api", "v1", "webhooks", "sumup", query={"token": token}),
        )
    )
    apply_start(payment, state)
    return payment


async def _reader(session: AsyncSession, reader_id: UUID | None) -> TerminalReader:
    if reader_id is None:
        raise ReaderRequired()
    reader = await session.get(TerminalReader, reader_id)
    if reader is None or reader.removed_at is not None:
        raise ReaderNotFound()
    return reader


async def pay_with_gift_card(
    session: AsyncSession,
    *,
    subject: Subject,
    amount_cents: int | None,
    available_cents: int,
    gift_card_id: UUID,
    staff_user_id: UUID | None,
) -> Payment:
    """Pay (part of) what a subject is due with a gift card: never more than is due, nor than
    the card holds; a subject held for its deposit gets the whole deposit (which confirms
    it). The caller (gift cards) has locked the card and records the matching redemption."""
    due = await due_of(session, subject, lock=True)
    if due.stage is Stage.awaiting_deposit:
        if await payments_of(session, subject, purposes=[PaymentPurpose.deposit], statuses=TAKEN):
            raise DepositAlreadyPaid()
        if available_cents < due.deposit_cents:
            raise NothingToPay(
                "The card does not cover the deposit: pay it by card instead.",
                extra={"due_cents": due.deposit_cents},
            )
        amount, purpose = due.deposit_cents, PaymentPurpose.deposit
    else:
        if due.stage is not Stage.open:
            refuse(subject, due)
        asked = amount_cents
        if asked is None:
            asked = min((await balance_of(session, subject, due)).due_cents, available_cents)
        amount, left = await _left_to_pay(session, subject, due, asked)
        if amount <= 0:
            raise NothingToPay(extra={"due_cents": left})
        purpose = PaymentPurpose.balance
    payment = new_payment(
        subject,
        method=PaymentMethod.gift_card,
        purpose=purpose,
        amount_cents=amount,
        client_id=due.client_id,
        provider=Provider.none,
        taken_by_user_id=staff_user_id,
        gift_card_id=gift_card_id,
    )
    return await record_taken(session, payment, staff_user_id=staff_user_id)
