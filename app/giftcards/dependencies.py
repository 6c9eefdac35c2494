"""The gift card loader of every staff route: front desk staff, the card locked when the
request changes it, 404 when there is none. Buyers see theirs at /me/gift-cards only."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request

from app.auth.public import DbSession, FrontDesk, is_write
from app.giftcards.models import GiftCard
from app.giftcards.service import get_card


async def card_for_staff(
    card_id: UUID, _: FrontDesk, session: DbSession, request: Request
) -> GiftCard:
    return await get_card(session, card_id, lock=is_write(request))


CardForStaff = Annotated[GiftCard, Depends(card_for_staff)]
