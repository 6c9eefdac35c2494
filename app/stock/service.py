"""The stock ledger: every change of a product's stock is one movement, written together with
the product's running totals under a lock on its stock row, so concurrent sales of the last
unit cannot both take it. Value at weighted average cost (docs/stock.md)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.catalog import public as catalog
from app.core.clock import utcnow
from app.stock import alerts, repository
from app.stock.errors import InsufficientStock, StockProductNotFound, UnitLocked
from app.stock.models import Cause, ReferenceKind, StockItem, StockMovement


@dataclass(frozen=True, slots=True)
class Reference:
    """What caused a movement: a ticket, an order, a booking, a purchase order, a count."""

    kind: ReferenceKind
    id: UUID


@dataclass(frozen=True, slots=True)
class Change:
    product_id: UUID
    quantity: int  # signed, in stock units
    cause: Cause
    reason: str | None = None
    cost_cents: int | None = None  # what an incoming quantity is worth, when known
    unit_cost_cents: int | None = None  # a delivery's cost of one pack
    supplier_id: UUID | None = None


def prorate(amount: int, part: int, whole: int) -> int:
    """`amount * part / whole` for non-negative integers, rounded half up to the unit: the
    one rounding rule of stock values."""
    return (2 * amount * part + whole) // (2 * whole)


def outgoing_value(item: StockItem, units: int) -> int:
    """What `units` leaving the stock take from its value: their share at average cost; the
    last ones take exactly what is left, so the value never drifts from the quantity."""
    if item.on_hand <= 0:
        return 0
    if units >= item.on_hand:
        return item.value_cents
    return prorate(item.value_cents, units, item.on_hand)


async def incoming_value(session: AsyncSession, item: StockItem, units: int) -> int:
    """What `units` coming back (a return, a count that found more) are worth: the average
    cost, or the last delivery's cost when the stock is empty, or nothing."""
    if item.on_hand > 0:
        return prorate(item.value_cents, units, item.on_hand)
    last = await repository.last_delivery(session, item.product_id)
    if last is None or last.unit_cost_cents is None:
        return 0
    return prorate(last.unit_cost_cents, units, item.pack_size)


async def ensure_items(
    session: AsyncSession, product_ids: Iterable[UUID]
) -> dict[UUID, catalog.ProductRef]:
    """The products, each with a stock row (made on first use); StockProductNotFound for an
    unknown one."""
    wanted = set(product_ids)
    products = await catalog.product_refs(session, wanted)
    if missing := wanted - products.keys():
        raise StockProductNotFound(extra={"product_ids": sorted(str(p) for p in missing)})
    await repository.add_missing_items(session, wanted, utcnow())
    return products


async def lock(session: AsyncSession, product_ids: Iterable[UUID]) -> dict[UUID, StockItem]:
    """The products' stock rows, made if needed, locked in a stable order."""
    wanted = set(product_ids)
    await ensure_items(session, wanted)
    return await repository.lock_items(session, wanted)


def _refuse_or_clamp(item: StockItem, change: Change, *, clamp: bool) -> int:
    quantity = change.quantity
    if quantity >= 0 or item.allow_negative or item.on_hand + quantity >= 0:
        return quantity
    if clamp:  # what was really there is all that can be recorded
        return -max(item.on_hand, 0)
    raise InsufficientStock(
        f"Only {item.on_hand} {item.unit} on hand.",
        extra={"product_id": str(item.product_id), "on_hand": item.on_hand, "asked": -quantity},
    )


async def _value_change(session: AsyncSession, item: StockItem, change: Change, q: int) -> int:
    if q < 0:
        if change.cost_cents is not None:  # a write-off of what just came in, exactly
            return -min(change.cost_cents, item.value_cents)
        return -outgoing_value(item, -q)
    worth = (
        change.cost_cents
        if change.cost_cents is not None
        else await incoming_value(session, item, q)
    )
    if item.on_hand < 0:  # units already sold without stock carry no value
        return prorate(worth, max(item.on_hand + q, 0), q)
    return worth


def _clamped(change: Change, quantity: int) -> str | None:
    if quantity == change.quantity:
        return change.reason
    short = f"{-change.quantity} asked, {-quantity} on hand"
    return f"{change.reason}; {short}" if change.reason else short


async def apply(
    session: AsyncSession,
    item: StockItem,
    change: Change,
    *,
    reference: Reference | None,
    actor_user_id: UUID | None,
    clamp: bool = False,
    watch: bool = True,
) -> StockMovement | None:
    """Write one movement on a locked stock row and move its totals; InsufficientStock when
    it would go below zero and the product does not allow it (with `clamp`, only what was
    there is taken; None when nothing was). With `watch`, crossing the low-stock threshold
    downwards queues its one message."""
    quantity = _refuse_or_clamp(item, change, clamp=clamp)
    if quantity == 0:
        return None
    value = await _value_change(session, item, change, quantity)
    now = utcnow()
    item.on_hand += quantity
    item.value_cents += value
    item.updated_at = now
    movement = StockMovement(
        product_id=item.product_id,
        cause=change.cause,
        quantity=quantity,
        value_cents=value,
        unit_cost_cents=change.unit_cost_cents,
        on_hand_after=item.on_hand,
        value_after_cents=item.value_cents,
        reason=_clamped(change, quantity),
        reference_kind=reference.kind if reference else None,
        reference_id=reference.id if reference else None,
        supplier_id=change.supplier_id,
        actor_user_id=actor_user_id,
        at=now,
    )
    session.add(movement)
    if watch and alerts.crossed_downwards(item):
        await alerts.queue_low_stock(session, item)
    return movement


async def record(
    session: AsyncSession,
    changes: Sequence[Change],
    *,
    reference: Reference | None,
    actor_user_id: UUID | None,
    clamp: bool = False,
) -> list[StockMovement]:
    """Several movements in one go (a ticket's lines): all or none, rows locked in order."""
    locked = await lock(session, [c.product_id for c in changes])
    written = []
    for change in changes:
        movement = await apply(
            session,
            locked[change.product_id],
            change,
            reference=reference,
            actor_user_id=actor_user_id,
            clamp=clamp,
        )
        if movement is not None:
            written.append(movement)
    await session.flush()
    return written


async def record_return(
    session: AsyncSession,
    lines: Sequence[tuple[UUID, int]],
    *,
    resellable: bool,
    reference: Reference | None,
    actor_user_id: UUID | None,
) -> list[StockMovement]:
    """Packs a client brought back: back on the shelf, or (not resellable) back and written
    off at once as breakage of the same value, so the stock ends where it was."""
    items = await lock(session, [product_id for product_id, _ in lines])
    written: list[StockMovement] = []
    for product_id, packs in lines:
        item = items[product_id]
        units = packs * item.pack_size
        back = Change(product_id, units, Cause.sale_return)
        moved = await apply(
            session,
            item,
            back,
            reference=reference,
            actor_user_id=actor_user_id,
            watch=resellable,
        )
        assert moved is not None  # noqa: S101 - an incoming quantity always moves
        written.append(moved)
        if not resellable:
            off = Change(product_id, -units, Cause.breakage, "unsellable return", moved.value_cents)
            gone = await apply(
                session, item, off, reference=reference, actor_user_id=actor_user_id, watch=False
            )
            assert gone is not None  # noqa: S101 - the units just came in
            written.append(gone)
    await session.flush()
    return written


async def set_item(
    session: AsyncSession,
    product_id: UUID,
    *,
    unit: str,
    pack_size: int,
    low_threshold: int | None,
    allow_negative: bool,
) -> StockItem:
    """A product's stock settings. Setting a threshold the stock is already under sends
    nothing: the message is for a crossing."""
    item = (await lock(session, [product_id]))[product_id]
    if unit != item.unit and await repository.has_movements(session, product_id):
        raise UnitLocked()
    if not allow_negative and item.on_hand < 0:
        raise InsufficientStock("On-hand is below zero: count or adjust it first.")
    item.unit, item.pack_size, item.allow_negative = unit, pack_size, allow_negative
    item.low_threshold = low_threshold
    item.low_alerted = low_threshold is not None and item.on_hand <= low_threshold
    item.updated_at = utcnow()
    await session.flush()
    return item


async def get_item(session: AsyncSession, product_id: UUID) -> StockItem:
    """A product's stock (an empty one for a product never stocked)."""
    await ensure_items(session, [product_id])
    item = await repository.get_item(session, product_id)
    assert item is not None  # noqa: S101 - just made
    return item


def average_pack_cost(item: StockItem) -> int | None:
    """The average cost of one pack, rounded half up (display only: values use the total)."""
    if item.on_hand <= 0:
        return None
    return prorate(item.value_cents, item.pack_size, item.on_hand)


async def record_at_desk(
    session: AsyncSession,
    *,
    cause: Cause,
    product_id: UUID,
    quantity: int,
    resellable: bool,
    reason: str | None,
    reference: Reference | None,
    actor_user_id: UUID | None,
) -> list[StockMovement]:
    """A sale or a return (packs), a use in a treatment or a breakage (stock units)."""
    if cause is Cause.sale_return:
        return await record_return(
            session,
            [(product_id, quantity)],
            resellable=resellable,
            reference=reference,
            actor_user_id=actor_user_id,
        )
    item = (await lock(session, [product_id]))[product_id]
    units = quantity * item.pack_size if cause is Cause.sale else quantity
    change = Change(product_id, -units, cause, reason)
    return await record(session, [change], reference=reference, actor_user_id=actor_user_id)


async def adjust(
    session: AsyncSession, *, product_id: UUID, quantity: int, reason: str, actor_user_id: UUID
) -> list[StockMovement]:
    """A manager's correction, either way, with its reason."""
    change = Change(product_id, quantity, Cause.adjustment, reason)
    return await record(session, [change], reference=None, actor_user_id=actor_user_id)


async def value(session: AsyncSession) -> tuple[int, int]:
    return await repository.stock_totals(session)
