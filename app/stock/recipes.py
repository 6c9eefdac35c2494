"""What each service uses (5 ml of serum per facial), and its consumption once a booking is
completed: once per booking, however often the event is delivered."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from app.catalog import public as catalog
from app.core.clock import utcnow
from app.stock import repository, service
from app.stock.errors import StockServiceNotFound
from app.stock.models import Cause, RecipeLine, ReferenceKind, StockMovement


async def set_recipe(
    session: AsyncSession, service_id: UUID, lines: Sequence[tuple[UUID, int]]
) -> list[RecipeLine]:
    """Replace what a service uses (product, quantity in the product's stock unit); an empty
    list means it uses nothing."""
    if not await catalog.existing_service_ids(session, [service_id]):
        raise StockServiceNotFound()
    await service.ensure_items(session, [product_id for product_id, _ in lines])
    await session.execute(delete(RecipeLine).where(RecipeLine.service_id == service_id))
    now = utcnow()
    for product_id, quantity in lines:
        session.add(
            RecipeLine(
                service_id=service_id, product_id=product_id, quantity=quantity, created_at=now
            )
        )
    await session.flush()
    return await repository.recipe_of(session, service_id)


async def get_recipe(session: AsyncSession, service_id: UUID) -> list[RecipeLine]:
    if not await catalog.existing_service_ids(session, [service_id]):
        raise StockServiceNotFound()
    return await repository.recipe_of(session, service_id)


async def consume_booking(
    session: AsyncSession, booking_id: UUID, service_ids: Sequence[UUID]
) -> list[StockMovement]:
    """Take what the booking's services used out of stock, one `treatment` movement per
    product. A replay finds the booking already consumed and does nothing. A product short
    of stock gives what it had (the treatment was done; the next count will tell)."""
    return await _consume(session, ReferenceKind.booking, booking_id, service_ids)


async def consume_ticket(
    session: AsyncSession, record_id: UUID, service_ids: Sequence[UUID]
) -> list[StockMovement]:
    """The same for the services of a walk-in sold on a ticket (no booking behind them)."""
    return await _consume(session, ReferenceKind.ticket, record_id, service_ids)


async def _consume(
    session: AsyncSession, kind: ReferenceKind, key: UUID, service_ids: Sequence[UUID]
) -> list[StockMovement]:
    # The key (a booking or a ticket's record: ids never repeat) marks it consumed once.
    if not service_ids or not await repository.mark_consumed(session, key, utcnow()):
        return []
    needed: Counter[UUID] = Counter()
    for line in await repository.recipes_for(session, list(set(service_ids))):
        needed[line.product_id] += line.quantity * service_ids.count(line.service_id)
    changes = [
        service.Change(product_id, -quantity, Cause.treatment)
        for product_id, quantity in sorted(needed.items())
    ]
    return await service.record(
        session,
        changes,
        reference=service.Reference(kind, key),
        actor_user_id=None,
        clamp=True,
    )
