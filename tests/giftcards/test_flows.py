"""The gift card use cases called without HTTP, as a task, a script or the till would: each
writes its own audit record, so what it does is audited the same as from a route."""

from __future__ import annotations

from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import AuditLogEntry, Role
from app.core.db import unit_of_work
from app.core.errors import ValidationFailed
from app.giftcards import flows, public
from app.giftcards.models import GiftCard
from app.payments.models import Payment
from tests.bookings.salon import open_salon
from tests.builders import make_user, sell_gift_card
from tests.giftcards.test_gift_cards import visit


async def _audit(session: AsyncSession, card_id: UUID) -> list[AuditLogEntry]:
    return list(
        await session.scalars(
            select(AuditLogEntry)
            .where(AuditLogEntry.subject_type == "gift_card")
            .where(AuditLogEntry.subject_id == str(card_id))
        )
    )


async def _sold(client: AsyncClient, desk: dict[str, str], amount_cents: int) -> UUID:
    return UUID((await sell_gift_card(client, desk, amount_cents)).json()["gift_card"]["id"])


async def test_a_card_cancelled_by_a_task_is_refunded_and_audited(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str]
) -> None:
    card_id = await _sold(client, desk, 6000)

    async with unit_of_work() as uow:
        detail = await flows.cancel(
            uow, card_id, reason="vendue deux fois", refund=True, actor_user_id=None
        )

    assert (detail.status, detail.balance_cents) == ("cancelled", 0)
    [audit] = await _audit(session, card_id)
    assert audit.action == "gift_card.cancelled"
    assert audit.actor_user_id is None
    assert audit.data == {"left_cents": 6000, "refund": True}
    card = await session.get(GiftCard, card_id)
    assert card is not None
    purchase = await session.get(Payment, card.payment_id)
    assert purchase is not None
    assert purchase.refunded_cents == 6000  # the cash is handed back


async def test_a_card_adjusted_by_a_script_is_audited_with_its_actor(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str]
) -> None:
    card_id = await _sold(client, desk, 5000)
    manager = await make_user(role=Role.manager)

    async with unit_of_work() as uow:
        detail = await flows.adjust(
            uow, card_id, amount_cents=-1500, reason="erreur de caisse", actor_user_id=manager.id
        )

    assert detail.balance_cents == 3500
    assert [(e.kind, e.actor_user_id) for e in detail.ledger][-1] == ("adjust", manager.id)
    [audit] = await _audit(session, card_id)
    assert audit.action == "gift_card.adjusted"
    assert audit.actor_user_id == manager.id
    assert audit.data == {"amount_cents": -1500, "reason": "erreur de caisse"}


async def test_a_refused_adjustment_leaves_no_audit_record(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str]
) -> None:
    card_id = await _sold(client, desk, 2000)

    with pytest.raises(ValidationFailed):
        async with unit_of_work() as uow:
            await flows.adjust(uow, card_id, amount_cents=-2500, reason="trop", actor_user_id=None)

    assert await _audit(session, card_id) == []


async def test_the_till_redeems_through_the_public_module_and_gets_a_dto(
    client: AsyncClient, desk: dict[str, str]
) -> None:
    await open_salon()
    sold = (await sell_gift_card(client, desk, 5000)).json()
    booking_id = UUID(await visit(client, desk, "2027-03-22T09:00:00+01:00", 3000))

    async with unit_of_work() as uow:
        spent = await public.redeem(
            uow, sold["code"], booking_id=booking_id, amount_cents=None, actor_user_id=None
        )

    assert isinstance(spent, public.Redemption)
    assert (spent.gift_card_id, spent.redeemed_cents, spent.balance_cents) == (
        UUID(sold["gift_card"]["id"]),
        3000,
        2000,
    )
