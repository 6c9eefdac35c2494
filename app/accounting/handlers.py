"""The books follow the events of the till, payments and gift cards (docs/accounting.md): one
entry per event, written once whatever the retries (its source key is unique)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounting import package_postings, postings, repository, service
from app.core import outbox
from app.core.clock import utcnow
from app.giftcards import public as giftcards
from app.packages import public as packages
from app.payments import public as payments
from app.sales import public as sales

# An order's money is in its ticket (tenders) and credit ticket (refunds): not again here.
_IN_TICKETS = "order"


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


async def _acomptes(session: AsyncSession, payment_ids: set[UUID]) -> dict[UUID, str]:
    """`ACOMPTE` for each deposit payment whose entry collected its VAT at receipt (the books'
    own record: what was collected is what is given back)."""
    collected = await repository.payments_with_vat(session, payment_ids)
    return {payment_id: postings.ACOMPTE for payment_id in collected}


@outbox.handles(sales.TOPIC_TICKET_ISSUED, name="accounting.post_ticket")
async def post_ticket(session: AsyncSession, event: sales.TicketIssued) -> None:
    def paid_by(method: str) -> set[UUID]:
        return {t.payment_id for t in event.tenders if t.method == method and t.payment_id}

    treatments = await _card_treatments(session, paid_by("gift_card"))
    treatments |= await _acomptes(session, paid_by("deposit"))
    await service.post(session, postings.ticket(event, treatments))


@outbox.handles(payments.TOPIC_TAKEN, name="accounting.post_payment")
async def post_payment(session: AsyncSession, event: payments.PaymentTaken) -> None:
    if event.subject_kind == _IN_TICKETS:
        return
    at = datetime.fromisoformat(event.taken_at) if event.taken_at else utcnow()
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
        await repository.payments_with_vat(session, {event.payment_id})
    )
    await service.post(session, postings.deposit_kept(event, vat_collected=collected))


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
