"""Queries on the gift card tables for the lists and the accounts' summary."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.timeutils import zone
from app.giftcards.models import CardStatus, GiftCard, GiftCardEntry

# A card's balance, for a filter on a list of cards.
_BALANCE = (
    select(func.coalesce(func.sum(GiftCardEntry.amount_cents), 0))
    .where(GiftCardEntry.gift_card_id == GiftCard.id)
    .correlate(GiftCard)
    .scalar_subquery()
)


def received_by(email: str) -> ColumnElement[bool]:
    """Cards sent to this address that have reached it: a card is the buyer's surprise until
    its delivery date, so it shows in the recipient's account (and export) from that day."""
    today = utcnow().astimezone(zone()).date()
    return and_(func.lower(GiftCard.recipient_email) == email.lower(), GiftCard.deliver_on <= today)


def cards_query(state: str | None) -> Select[GiftCard]:
    """Cards in a state: `active` (money left), `spent` (nothing left) or a card status."""
    statement = select(GiftCard)
    if state == "active":
        return statement.where(GiftCard.status == CardStatus.active, _BALANCE > 0)
    if state == "spent":
        return statement.where(GiftCard.status == CardStatus.active, _BALANCE <= 0)
    if state is not None:
        return statement.where(GiftCard.status == state)
    return statement


def client_cards_query(client_id: UUID, email: str | None) -> Select[GiftCard]:
    """Paid cards a client bought, and those sent to `email` that have reached it."""
    conditions = [GiftCard.buyer_client_id == client_id]
    if email:
        conditions.append(received_by(email))
    return select(GiftCard).where(or_(*conditions), GiftCard.status != CardStatus.pending_payment)


async def outstanding_before(session: AsyncSession, moment: datetime) -> int:
    """What every card held, together, just before `moment` (the liability)."""
    total = await session.scalar(
        select(func.coalesce(func.sum(GiftCardEntry.amount_cents), 0)).where(
            GiftCardEntry.at < moment
        )
    )
    return int(total or 0)


async def movements(
    session: AsyncSession, start: datetime, end: datetime
) -> list[tuple[str, str, int, int]]:
    """The ledger's movements in [start, end) as (kind, VAT treatment, count, total cents)."""
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
    return [(kind, vat, count, int(total)) for kind, vat, count, total in rows]
