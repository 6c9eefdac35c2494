"""What other domains (the till first) may use from stock: record a sale, a return or a use
in a treatment in their own transaction, and read what is on hand and what it is worth.
Quantities sold and returned are packs (what a ticket line counts: one bottle), a use in a
treatment is in the product's stock unit (5 ml); see docs/stock.md. DTOs only."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.stock import repository, service
from app.stock.errors import InsufficientStock, StockProductNotFound
from app.stock.models import Cause, ReferenceKind, StockItem, StockMovement

__all__ = [
    "CAUSES",
    "InsufficientStock",
    "MovementRef",
    "MovementTotal",
    "StockLevel",
    "StockLine",
    "StockProductNotFound",
    "StockValue",
    "movement_totals",
    "record_return",
    "record_sale",
    "record_treatment_use",
    "stock_levels",
    "stock_value",
]

SaleReference = Literal["ticket", "order"]
# Why stock moves, as the ledger names it (docs/stock.md).
CAUSES = tuple(str(cause) for cause in Cause)


@dataclass(frozen=True, slots=True)
class StockLine:
    product_id: UUID
    quantity: int  # > 0: packs for a sale or a return, stock units for a treatment


@dataclass(frozen=True, slots=True)
class MovementRef:
    id: UUID
    product_id: UUID
    cause: str
    quantity: int  # signed, stock units
    value_cents: int  # the change of the stock's value
    on_hand_after: int


@dataclass(frozen=True, slots=True)
class StockLevel:
    product_id: UUID
    unit: str
    pack_size: int
    on_hand: int  # stock units
    value_cents: int
    low: bool  # at or under its threshold


@dataclass(frozen=True, slots=True)
class StockValue:
    products: int
    value_cents: int


def _ref(movement: StockMovement) -> MovementRef:
    return MovementRef(
        movement.id,
        movement.product_id,
        movement.cause,
        movement.quantity,
        movement.value_cents,
        movement.on_hand_after,
    )


def _level(item: StockItem) -> StockLevel:
    low = item.low_threshold is not None and item.on_hand <= item.low_threshold
    return StockLevel(
        item.product_id, item.unit, item.pack_size, item.on_hand, item.value_cents, low
    )


async def record_sale(
    session: AsyncSession,
    lines: Sequence[StockLine],
    *,
    reference_kind: SaleReference,
    reference_id: UUID,
    actor_user_id: UUID | None,
) -> list[MovementRef]:
    """Packs sold on a ticket (or an order): all lines or none; InsufficientStock (409) when
    a product has too few and does not allow negative stock."""
    locked = await service.lock(session, [line.product_id for line in lines])
    changes = [
        service.Change(
            line.product_id, -line.quantity * locked[line.product_id].pack_size, Cause.sale
        )
        for line in lines
    ]
    reference = service.Reference(ReferenceKind(reference_kind), reference_id)
    written = await service.record(
        session, changes, reference=reference, actor_user_id=actor_user_id
    )
    return [_ref(m) for m in written]


async def record_return(
    session: AsyncSession,
    lines: Sequence[StockLine],
    *,
    resellable: bool,
    reference_kind: SaleReference,
    reference_id: UUID,
    actor_user_id: UUID | None,
) -> list[MovementRef]:
    """Packs brought back on a credit ticket: back in stock, or (not resellable) back and
    written off as breakage at once."""
    written = await service.record_return(
        session,
        [(line.product_id, line.quantity) for line in lines],
        resellable=resellable,
        reference=service.Reference(ReferenceKind(reference_kind), reference_id),
        actor_user_id=actor_user_id,
    )
    return [_ref(m) for m in written]


async def record_treatment_use(
    session: AsyncSession,
    lines: Sequence[StockLine],
    *,
    reference_kind: Literal["ticket", "booking"],
    reference_id: UUID,
    actor_user_id: UUID | None,
) -> list[MovementRef]:
    """Stock units used in a service outside a recipe (a walk-in's treatment on a ticket).
    A booking's recipe is consumed on its own when the booking is completed."""
    changes = [service.Change(line.product_id, -line.quantity, Cause.treatment) for line in lines]
    written = await service.record(
        session,
        changes,
        reference=service.Reference(ReferenceKind(reference_kind), reference_id),
        actor_user_id=actor_user_id,
    )
    return [_ref(m) for m in written]


async def stock_levels(
    session: AsyncSession, product_ids: Iterable[UUID]
) -> dict[UUID, StockLevel]:
    """On hand and value per product; a product never stocked is absent."""
    return {p: _level(i) for p, i in (await repository.items_by_id(session, product_ids)).items()}


async def stock_value(session: AsyncSession) -> StockValue:
    """The whole stock's value at average cost."""
    products, value = await repository.stock_totals(session)
    return StockValue(products, value)


@dataclass(frozen=True, slots=True)
class MovementTotal:
    """What one cause moved of one product over a period."""

    product_id: UUID
    unit: str  # piece, ml or g
    cause: str  # one of CAUSES
    movements: int
    quantity: int  # signed, stock units
    value_cents: int  # the change of the stock's value, at cost


async def movement_totals(
    session: AsyncSession, start: datetime, end: datetime
) -> list[MovementTotal]:
    """The stock movements made in [start, end), added up per product and cause."""
    rows = await repository.movement_totals(session, start, end)
    return [
        MovementTotal(product, unit, cause, int(count), int(quantity), int(value))
        for product, unit, cause, count, quantity, value in rows
    ]
