"""Selling, spending and ending gift cards. The balance is always the sum of the card's ledger,
read under the card's row lock: two tills redeeming the same card at once queue on the lock,
and the second sees what the first spent."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.catalog import public as catalog
from app.core import outbox
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.errors import ValidationFailed
from app.core.ids import new_id
from app.core.pagination import Page, PageParams, paginate
from app.core.timeutils import local_day_span, zone
from app.giftcards import codes, repository
from app.giftcards.errors import (
    GiftCardExpired,
    GiftCardNotFound,
    GiftCardNotUsable,
    InvalidGiftCardAmount,
    InvalidGiftCardCode,
)
from app.giftcards.models import CardStatus, EntryKind, GiftCard, GiftCardEntry, VatTreatment
from app.giftcards.schemas import (
    CardDetail,
    CardOut,
    LedgerSummaryOut,
    MovementOut,
    NewCard,
    card_detail,
    card_out,
)
from app.giftcards.topics import TOPIC_EXPIRED, CardExpired

MIN_CENTS, MAX_CENTS = 1_000, 100_000


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


async def card_value(session: AsyncSession, data: NewCard) -> int:
    """An amount, or the current price of the named services (computed here, never sent)."""
    if data.service_ids:
        specs = await catalog.get_service_specs(session, data.service_ids)
        if len(specs) != len(set(data.service_ids)) or not all(s.is_active for s in specs.values()):
            raise InvalidGiftCardAmount("One of these services does not exist or is not sold.")
        return sum(specs[s].price_cents for s in data.service_ids)
    if data.amount_cents is None or not MIN_CENTS <= data.amount_cents <= MAX_CENTS:
        raise InvalidGiftCardAmount(
            f"A gift card is worth between {MIN_CENTS // 100} and {MAX_CENTS // 100} euros."
        )
    return data.amount_cents


async def create_card(
    session: AsyncSession, data: NewCard, *, sold_by_user_id: UUID | None
) -> tuple[GiftCard, str]:
    """A new card waiting for its payment; returns it and its code (shown once, then only its
    hash is kept)."""
    value = await card_value(session, data)
    now = utcnow()
    today = now.astimezone(zone()).date()
    deliver_on = data.deliver_on or today
    code = codes.new_code()
    settings = get_settings().giftcards
    card = GiftCard(
        id=new_id(),
        code_hash=codes.code_hash(code),
        code_hint=code[-4:],
        code_sealed=codes.seal(code),
        status=CardStatus.pending_payment,
        initial_cents=value,
        currency=get_settings().salon.currency,
        service_ids=list(data.service_ids),
        vat_treatment=VatTreatment(settings.vat_treatment),
        buyer_client_id=data.buyer_client_id,
        buyer_name=data.buyer_name,
        buyer_email=data.buyer_email,
        recipient_name=data.recipient_name,
        recipient_email=data.recipient_email,
        message=data.message,
        deliver_on=deliver_on,
        expires_at=add_months(
            datetime.combine(max(deliver_on, today), time(23, 59, 59), tzinfo=zone()),
            settings.validity_months,
        ),
        sold_by_user_id=sold_by_user_id,
        created_at=now,
    )
    session.add(card)
    await session.flush()
    return card, code


def add_entry(
    session: AsyncSession,
    card: GiftCard,
    kind: EntryKind,
    amount_cents: int,
    *,
    reason: str | None = None,
    payment_id: UUID | None = None,
    booking_id: UUID | None = None,
    actor_user_id: UUID | None = None,
) -> GiftCardEntry:
    entry = GiftCardEntry(
        id=new_id(),
        gift_card_id=card.id,
        kind=kind,
        amount_cents=amount_cents,
        reason=reason,
        payment_id=payment_id,
        booking_id=booking_id,
        actor_user_id=actor_user_id,
        at=utcnow(),
    )
    session.add(entry)
    return entry


async def balance(session: AsyncSession, card_id: UUID) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(GiftCardEntry.amount_cents), 0)).where(
            GiftCardEntry.gift_card_id == card_id
        )
    )
    return int(total or 0)


async def balances(session: AsyncSession, card_ids: list[UUID]) -> dict[UUID, int]:
    if not card_ids:
        return {}
    rows = await session.execute(
        select(GiftCardEntry.gift_card_id, func.sum(GiftCardEntry.amount_cents))
        .where(GiftCardEntry.gift_card_id.in_(card_ids))
        .group_by(GiftCardEntry.gift_card_id)
    )
    found = {card_id: int(total) for card_id, total in rows}
    return {card_id: found.get(card_id, 0) for card_id in card_ids}


async def activate(
    session: AsyncSession, card: GiftCard, *, payment_id: UUID, actor_user_id: UUID | None
) -> bool:
    """The card is paid: issue its value (a liability until spent). Idempotent."""
    if card.status != CardStatus.pending_payment:
        return False
    card.status, card.activated_at, card.payment_id = CardStatus.active, utcnow(), payment_id
    add_entry(
        session,
        card,
        EntryKind.issue,
        card.initial_cents,
        reason="sold",
        payment_id=payment_id,
        actor_user_id=actor_user_id,
    )
    await session.flush()
    return True


async def find_by_code(session: AsyncSession, typed: str, *, lock: bool = False) -> GiftCard:
    try:
        code = codes.normalize(typed)
    except codes.InvalidCode as exc:
        raise InvalidGiftCardCode(str(exc)) from exc
    statement = select(GiftCard).where(GiftCard.code_hash == codes.code_hash(code))
    card = await session.scalar(statement.with_for_update() if lock else statement)
    if card is None:
        raise GiftCardNotFound()
    return card


async def get_card(session: AsyncSession, card_id: UUID, *, lock: bool = False) -> GiftCard:
    statement = select(GiftCard).where(GiftCard.id == card_id)
    card = await session.scalar(statement.with_for_update() if lock else statement)
    if card is None:
        raise GiftCardNotFound("This gift card does not exist.")
    return card


def ensure_usable(card: GiftCard) -> None:
    if card.status == CardStatus.expired or (
        card.status == CardStatus.active and card.expires_at <= utcnow()
    ):
        raise GiftCardExpired(
            f"This card expired on {card.expires_at.astimezone(zone()):%d/%m/%Y}."
        )
    if card.status != CardStatus.active:
        raise GiftCardNotUsable(f"This card is {card.status}.")


async def entries(session: AsyncSession, card_id: UUID) -> list[GiftCardEntry]:
    return list(
        await session.scalars(
            select(GiftCardEntry)
            .where(GiftCardEntry.gift_card_id == card_id)
            .order_by(GiftCardEntry.at, GiftCardEntry.id)
        )
    )


async def expire_due(session: AsyncSession, *, now: datetime, limit: int = 200) -> int:
    """End the active cards past their date: what was left leaves the liability (other
    income in the accounts). Returns how many."""
    cards = list(
        await session.scalars(
            select(GiftCard)
            .where(GiftCard.status == CardStatus.active, GiftCard.expires_at <= now)
            .order_by(GiftCard.expires_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for card in cards:
        left = await balance(session, card.id)
        if left > 0:
            add_entry(session, card, EntryKind.expire, -left, reason="validity ended")
            expired = CardExpired(
                gift_card_id=card.id,
                amount_cents=left,
                vat_treatment=card.vat_treatment,
                expired_at=now.isoformat(),
            )
            await outbox.enqueue(session, TOPIC_EXPIRED, expired)
        card.status = CardStatus.expired
    return len(cards)


async def check_balance(session: AsyncSession, typed: str) -> tuple[GiftCard, int]:
    """The card a code names and what it holds; a card not paid yet does not exist yet."""
    card = await find_by_code(session, typed)
    if card.status == CardStatus.pending_payment:
        raise GiftCardNotFound()
    return card, await balance(session, card.id)


async def detail(session: AsyncSession, card: GiftCard) -> CardDetail:
    """A card with its whole ledger, oldest entry first."""
    return card_detail(card, await entries(session, card.id))


async def _page_with_balances(page: Page[CardOut], session: AsyncSession) -> Page[CardOut]:
    left = await balances(session, [c.id for c in page.items])
    for item in page.items:
        item.balance_cents = left[item.id]
    return page


async def list_cards(
    session: AsyncSession, *, state: str | None, page: PageParams
) -> Page[CardOut]:
    """Cards in a state (repository.cards_query), newest first."""
    listed = await paginate(
        session,
        repository.cards_query(state),
        order_by=(GiftCard.created_at, GiftCard.id),
        params=page,
        descending=True,
        to_item=lambda card: card_out(card, 0),
    )
    return await _page_with_balances(listed, session)


async def client_cards(
    session: AsyncSession, client_id: UUID, email: str | None, *, page: PageParams
) -> Page[CardOut]:
    """A client's cards (repository.client_cards_query), newest first."""
    listed = await paginate(
        session,
        repository.client_cards_query(client_id, email),
        order_by=(GiftCard.id,),
        params=page,
        descending=True,
        to_item=lambda card: card_out(card, 0),
    )
    return await _page_with_balances(listed, session)


async def ledger_summary(
    session: AsyncSession, *, date_from: date, date_to: date
) -> LedgerSummaryOut:
    """The liability at the start and end of a period of salon dates (inclusive) and its
    movements by kind and VAT treatment (docs/giftcards.md)."""
    if date_to < date_from:
        raise ValidationFailed("`date_from` must not come after `date_to`.")
    tz = zone()
    start, end = local_day_span(date_from, tz)[0], local_day_span(date_to, tz)[1]
    opening = await repository.outstanding_before(session, start)
    movements = [
        MovementOut(kind=kind, vat_treatment=vat, count=count, amount_cents=total)
        for kind, vat, count, total in await repository.movements(session, start, end)
    ]
    return LedgerSummaryOut(
        date_from=date_from,
        date_to=date_to,
        outstanding_at_start_cents=opening,
        movements=movements,
        outstanding_at_end_cents=opening + sum(m.amount_cents for m in movements),
    )
