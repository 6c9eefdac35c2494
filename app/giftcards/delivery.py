"""A paid card gets its PDF (kept in storage) and its e-mail, queued for the delivery date;
an active card with a balance gets a reminder before it expires."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from anyio import to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.catalog import public as catalog
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.db import unit_of_work
from app.core.money import euros
from app.core.timeutils import zone
from app.giftcards import codes, service
from app.giftcards.models import CardStatus, GiftCard
from app.giftcards.pdf import CardFace, render_card
from app.integrations.storage import get_storage
from app.notifications import public as notifications
from app.payments import public as payments

SEND_AT = time(9, 0)  # a card due on a day arrives in the morning
# How the buyer paid, as her receipt says it.
PAID_BY = {
    "stripe": "par carte bancaire",
    "sumup_terminal": "par carte bancaire",
    "paypal": "par PayPal",
    "cash": "en espèces",
    "bank_transfer": "par virement",
}


def _date(moment: datetime) -> str:
    return f"{moment.astimezone(zone()):%d/%m/%Y}"


async def _value(session: AsyncSession, card: GiftCard) -> str:
    if card.service_ids:
        names = await catalog.service_names(session, set(card.service_ids))
        return ", ".join(names[s] for s in card.service_ids if s in names)
    return euros(card.initial_cents)


async def face(session: AsyncSession, card: GiftCard) -> CardFace:
    return CardFace(
        code=codes.display(codes.unseal(card.code_sealed)),
        value=await _value(session, card),
        recipient_name=card.recipient_name,
        buyer_name=card.buyer_name,
        message=card.message,
        expires_at=card.expires_at,
    )


async def store_pdf(session: AsyncSession, card: GiftCard) -> bytes:
    pdf = await to_thread.run_sync(render_card, await face(session, card))  # off the loop
    key = f"gift-cards/{card.id}.pdf"
    await get_storage().put(key, pdf, "application/pdf")
    card.pdf_key = key
    return pdf


async def queue_email(session: AsyncSession, card: GiftCard, *, resend: bool) -> None:
    """The card to its recipient on its delivery date, and the buyer's receipt at once. With
    no recipient address the receipt carries the card (addressed to the recipient, for the
    buyer to print or forward). A resend sends the card again, nothing else."""
    if card.recipient_email:
        await _queue_card(session, card, card.recipient_email, resend=resend)
        if not resend:
            await _queue_receipt(session, card, attached=False, resend=False)
    else:
        await _queue_receipt(session, card, attached=True, resend=resend)


def _pdf_attachment(card: GiftCard) -> list[dict[str, str]]:
    # Read from storage when the message goes: the code is never copied into the message.
    return [notifications.stored_attachment("carte-cadeau.pdf", card.pdf_key or "")]


async def _queue_card(session: AsyncSession, card: GiftCard, email: str, *, resend: bool) -> None:
    shown = await face(session, card)
    await notifications.queue(
        session,
        template="gift_card",
        channel=notifications.Channel.email,
        recipient=notifications.Recipient(None, card.recipient_name, email, None),
        context={
            "card": {
                "recipient_name": card.recipient_name,
                "buyer_name": card.buyer_name,
                "value": shown.value,
                "message": card.message,
                "hint": card.code_hint,
                "expires": _date(card.expires_at),
            }
        },
        dedupe_key=None if resend else f"gift_card:{card.id}",
        attachments=_pdf_attachment(card),
        not_before=datetime.combine(card.deliver_on, SEND_AT, tzinfo=zone()),
    )


async def _queue_receipt(
    session: AsyncSession, card: GiftCard, *, attached: bool, resend: bool
) -> None:
    """What the buyer paid, when and how, for whom, and where the card goes. The amount is
    what the payments took for the card (every tender of a split), as it was taken."""
    if card.buyer_email is None or card.payment_id is None:
        return
    payment = await payments.get_payment(session, card.payment_id)
    receipt = {
        "buyer_name": card.buyer_name,
        "recipient_name": card.recipient_name,
        "recipient_email": card.recipient_email,
        "value": await _value(session, card),
        "paid": euros((await payments.balance(session, "gift_card", card.id)).paid_cents),
        "method": PAID_BY.get(payment.method, ""),
        "paid_on": _date(card.activated_at or utcnow()),
        "deliver_on": f"{card.deliver_on:%d/%m/%Y}",
        "message": card.message,
        "expires": _date(card.expires_at),
        "attached": attached,
    }
    await notifications.queue(
        session,
        template="gift_card_receipt",
        channel=notifications.Channel.email,
        recipient=notifications.Recipient(
            card.buyer_client_id, card.buyer_name, card.buyer_email, None
        ),
        context={"receipt": receipt},
        dedupe_key=None if resend else f"gift_card_receipt:{card.id}",
        attachments=_pdf_attachment(card) if attached else None,
    )


async def remind_expiring() -> int:
    """E-mail the holders of cards that expire within GIFTCARDS_EXPIRY_REMINDER_DAYS and still
    hold money; once per card."""
    now = utcnow()
    horizon = now + timedelta(days=get_settings().giftcards.expiry_reminder_days)
    reminded = 0
    async with unit_of_work() as session:
        cards = list(
            await session.scalars(
                select(GiftCard)
                .where(
                    GiftCard.status == CardStatus.active,
                    GiftCard.expires_at > now,
                    GiftCard.expires_at <= horizon,
                    GiftCard.expiry_reminded_at.is_(None),
                )
                .limit(200)
                .with_for_update(skip_locked=True)
            )
        )
        left = await service.balances(session, [c.id for c in cards])
        for card in cards:
            card.expiry_reminded_at = now
            email = card.recipient_email or card.buyer_email
            if left[card.id] <= 0 or email is None:
                continue
            to_buyer = card.recipient_email is None  # she kept the card to hand it over
            await notifications.queue(
                session,
                template="gift_card_expiring",
                channel=notifications.Channel.email,
                recipient=notifications.Recipient(
                    None, card.buyer_name if to_buyer else card.recipient_name, email, None
                ),
                context={
                    "card": {
                        "recipient_name": card.recipient_name,
                        "buyer_name": card.buyer_name,
                        "to_buyer": to_buyer,
                        "balance": euros(left[card.id]),
                        "hint": card.code_hint,
                        "expires": _date(card.expires_at),
                    }
                },
                dedupe_key=f"gift_card_expiring:{card.id}",
            )
            reminded += 1
    return reminded


async def expire_cards() -> int:
    async with unit_of_work() as session:
        return await service.expire_due(session, now=utcnow())
