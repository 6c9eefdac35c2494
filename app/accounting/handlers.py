"""The books follow the events of the till, payments and gift cards (docs/accounting.md): one
entry per event, written once whatever the retries (its source key is unique)."""

from __future__ import annotations

from datetime import datetime, time
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounting import (
    package_postings,
    postings,
    recognition,
    repository,
    service,
    subscription_postings,
)
from app.accounting.receivables import client_aux
from app.core import outbox
from app.core.clock import utcnow
from app.core.timeutils import zone
from app.giftcards import public as giftcards
from app.invoicing import public as invoicing
from app.packages import public as packages
from app.payments import public as payments
from app.sales import public as sales
from app.subscriptions import public as subscriptions

# An order's money is in its ticket (tenders) and credit ticket (refunds): not again here.
_IN_TICKETS = "order"
POST_PAYMENT = "accounting.post_payment"
# A business client's payment on an invoice sold on account: off her 411 account.
_INVOICE = "invoice"


async def _card_treatments(session: AsyncSession, payment_ids: set[UUID]) -> dict[UUID, str]:
    """The VAT treatment of the gift card behind each gift-card payment."""
    cards: dict[UUID, UUID] = {}
    for payment_id in payment_ids:
        paid = await payments.get_payment(session, payment_id)
        if paid.gift_card_id is not None:
            cards[payment_id] = paid.gift_card_id
    treatments = await giftcards.vat_treatments(session, set(cards.values()))
    return {payment_id: treatments[card] for payment_id, card in cards.items()}


async def _treatment(session: AsyncSession, card_id: UUID | None) -> str | None:
    if card_id is None:
        return None
    return (await giftcards.vat_treatments(session, {card_id})).get(card_id)


def _card_bought(subject_kind: str, subject_id: UUID) -> UUID | None:
    return subject_id if subject_kind == "gift_card" else None


class PaymentNotPostedYet(RuntimeError):
    """The entry of a payment this event depends on is still to be written (by another worker,
    or after a retry): the outbox retries this event later."""


async def _acomptes(session: AsyncSession, payment_ids: set[UUID]) -> dict[UUID, str]:
    """`ACOMPTE` for each deposit payment whose entry collected its VAT at receipt (the books'
    own record: what was collected is what is given back). Waits for those entries: read
    before they exist, an acompte's VAT would be given back never or twice."""
    for payment_id in payment_ids:
        if await outbox.waiting(session, POST_PAYMENT, payment_id=str(payment_id)):
            raise PaymentNotPostedYet(f"payment {payment_id} is not in the books yet")
    collected = await repository.payments_with_vat(session, payment_ids)
    return {payment_id: postings.ACOMPTE for payment_id in collected}


@outbox.handles(sales.TOPIC_TICKET_ISSUED, name="accounting.post_ticket")
async def post_ticket(session: AsyncSession, event: sales.TicketIssued) -> None:
    def paid_by(method: str) -> set[UUID]:
        return {t.payment_id for t in event.tenders if t.method == method and t.payment_id}

    treatments = await _card_treatments(session, paid_by("gift_card"))
    treatments |= await _acomptes(session, paid_by("deposit"))
    on_account = any(t.method == "on_account" for t in event.tenders)
    client = await client_aux(session, event.client_id) if on_account else None
    await service.post(session, postings.ticket(event, treatments, client))


@outbox.handles(payments.TOPIC_TAKEN, name=POST_PAYMENT)
async def post_payment(session: AsyncSession, event: payments.PaymentTaken) -> None:
    if event.subject_kind == _IN_TICKETS:
        return
    at = datetime.fromisoformat(event.taken_at) if event.taken_at else utcnow()
    if event.subject_kind == _INVOICE:
        await _post_invoice_payment(session, event, at)
        return
    bought = await _treatment(
        session, event.subject_id if event.subject_kind == "gift_card" else None
    )
    paid_with = await _treatment(session, event.gift_card_id)
    await service.post(session, postings.payment(event, at, bought, paid_with=paid_with))


@outbox.handles(payments.TOPIC_REFUNDED, name="accounting.post_refund")
async def post_refund(session: AsyncSession, event: payments.PaymentRefunded) -> None:
    if event.subject_kind == _IN_TICKETS:
        return
    bought = await _treatment(
        session, event.subject_id if event.subject_kind == "gift_card" else None
    )
    if event.purpose == "deposit":
        bought = (await _acomptes(session, {event.payment_id})).get(event.payment_id)
    paid_with = await _treatment(session, event.gift_card_id)
    await service.post(session, postings.refund(event, bought, paid_with=paid_with))


@outbox.handles(giftcards.TOPIC_EXPIRED, name="accounting.post_gift_card_expiry")
async def post_gift_card_expiry(session: AsyncSession, event: giftcards.CardExpired) -> None:
    await service.post(session, postings.gift_card_expiry(event))


@outbox.handles(payments.TOPIC_DEPOSIT_KEPT, name="accounting.post_deposit_kept")
async def post_deposit_kept(session: AsyncSession, event: payments.DepositKept) -> None:
    collected = event.terms == postings.ACOMPTE and bool(
        await _acomptes(session, {event.payment_id})
    )
    await service.post(session, postings.deposit_kept(event, vat_collected=collected))


async def _post_invoice_payment(
    session: AsyncSession, event: payments.PaymentTaken, at: datetime
) -> None:
    """Dated the day the money arrived, as recorded on the invoice."""
    paid = await payments.get_payment(session, event.payment_id)
    received = await invoicing.received_on(session, event.payment_id)
    if received is not None and received < at.astimezone(zone()).date():
        at = datetime.combine(received, time(12), tzinfo=zone())
    number = await invoicing.invoice_number(session, event.subject_id)
    client = await client_aux(session, paid.client_id)
    await service.post(session, postings.invoice_payment(event, at, client, number))


@outbox.handles(invoicing.TOPIC_CREDIT_NOTE_ON_ACCOUNT, name="accounting.post_credit_note")
async def post_credit_note(session: AsyncSession, event: invoicing.CreditNoteOnAccount) -> None:
    client = await client_aux(session, event.client_id)
    await service.post(session, postings.credit_note(event, client))


async def _post_unless_empty(session: AsyncSession, draft: postings.Draft) -> None:
    """A payout of nothing (no net, no fee to book) writes no entry."""
    if draft.lines:
        await service.post(session, draft)


@outbox.handles(payments.TOPIC_PROVIDER_FEE, name="accounting.post_provider_fee")
async def post_provider_fee(session: AsyncSession, event: payments.ProviderFeeKnown) -> None:
    await _post_unless_empty(session, postings.provider_fee(event))


@outbox.handles(payments.TOPIC_PAYOUT_RECEIVED, name="accounting.post_payout")
async def post_payout(session: AsyncSession, event: payments.PayoutReceived) -> None:
    await _post_unless_empty(session, postings.payout_received(event))


@outbox.handles(payments.TOPIC_PAYOUT_FAILED, name="accounting.post_payout_failed")
async def post_payout_failed(session: AsyncSession, event: payments.PayoutFailed) -> None:
    await _post_unless_empty(session, postings.payout_failed(event))


# Packages: a prepayment until each session is used (docs/packages.md, "Accounting").
@outbox.handles(packages.TOPIC_SOLD, name="accounting.post_package_sold")
async def post_package_sold(session: AsyncSession, event: packages.PackageSold) -> None:
    if event.channel == "online":  # at the till, the ticket's entry posts the sale
        await service.post(session, package_postings.sold_online(event))


@outbox.handles(packages.TOPIC_SESSION_USED, name="accounting.post_package_session")
async def post_package_session(session: AsyncSession, event: packages.SessionUsed) -> None:
    await service.post(session, package_postings.session_used(event))


@outbox.handles(packages.TOPIC_EXPIRED, name="accounting.post_package_expiry")
async def post_package_expiry(session: AsyncSession, event: packages.PackageExpired) -> None:
    await service.post(session, package_postings.expired(event))


@outbox.handles(packages.TOPIC_REFUNDED, name="accounting.post_package_refund")
async def post_package_refund(session: AsyncSession, event: packages.PackageRefunded) -> None:
    await service.post(session, package_postings.refunded(event))


# Memberships: the paid invoice (docs/subscriptions.md, "Accounting").
@outbox.handles(subscriptions.TOPIC_INVOICE_REVENUE, name="accounting.post_subscription_invoice")
async def post_subscription_invoice(
    session: AsyncSession, event: subscriptions.InvoiceRevenue
) -> None:
    await service.post(session, subscription_postings.invoice_paid(event))
    await recognition.note(session, event)  # a prepaid plan: its revenue comes month by month
