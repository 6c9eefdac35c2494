"""Suppliers and purchase orders: lines of packs at a cost per pack, ordered, then received
in one or several receipts, each line received a `delivery` movement at its cost."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.db import flush_or_raise
from app.stock import repository, service
from app.stock.errors import (
    OverReceipt,
    PurchaseOrderClosed,
    PurchaseOrderNotFound,
    SupplierNameTaken,
    SupplierNotFound,
)
from app.stock.models import (
    Cause,
    OrderStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    ReferenceKind,
    Supplier,
)

OPEN = frozenset({OrderStatus.ordered, OrderStatus.partially_received})


@dataclass(frozen=True, slots=True)
class OrderLineIn:
    product_id: UUID
    quantity: int  # packs
    unit_cost_cents: int  # one pack


@dataclass(frozen=True, slots=True)
class ReceivedLine:
    product_id: UUID
    quantity: int  # packs
    unit_cost_cents: int | None = None  # the invoice's price when it differs from the order's


@dataclass(frozen=True, slots=True)
class OrderView:
    order: PurchaseOrder
    lines: list[PurchaseOrderLine]


async def get_supplier(session: AsyncSession, supplier_id: UUID) -> Supplier:
    supplier = await repository.get_supplier(session, supplier_id)
    if supplier is None:
        raise SupplierNotFound()
    return supplier


async def create_supplier(session: AsyncSession, fields: dict[str, Any]) -> Supplier:
    now = utcnow()
    supplier = Supplier(**fields, created_at=now, updated_at=now)
    session.add(supplier)
    await flush_or_raise(session, SupplierNameTaken())
    return supplier


async def update_supplier(
    session: AsyncSession, supplier: Supplier, fields: dict[str, Any]
) -> Supplier:
    for name, value in fields.items():
        setattr(supplier, name, value)
    supplier.updated_at = utcnow()
    await flush_or_raise(session, SupplierNameTaken())
    return supplier


async def get_order(session: AsyncSession, order_id: UUID, *, lock: bool = False) -> PurchaseOrder:
    order = await repository.get_order(session, order_id, lock=lock)
    if order is None:
        raise PurchaseOrderNotFound()
    return order


async def view(session: AsyncSession, order: PurchaseOrder) -> OrderView:
    return OrderView(order, await repository.order_lines(session, order.id))


async def create_order(
    session: AsyncSession,
    *,
    supplier_id: UUID,
    lines: Sequence[OrderLineIn],
    reference: str | None,
    note: str | None,
    actor_user_id: UUID | None,
) -> OrderView:
    """An order to a supplier; nothing enters the stock until it is received."""
    await get_supplier(session, supplier_id)
    await service.ensure_items(session, [line.product_id for line in lines])
    order = PurchaseOrder(
        supplier_id=supplier_id,
        status=OrderStatus.ordered,
        reference=reference,
        note=note,
        ordered_at=utcnow(),
        ordered_by_user_id=actor_user_id,
    )
    session.add(order)
    await session.flush()
    for position, line in enumerate(lines):
        session.add(
            PurchaseOrderLine(
                order_id=order.id,
                position=position,
                product_id=line.product_id,
                quantity=line.quantity,
                unit_cost_cents=line.unit_cost_cents,
                received_quantity=0,
            )
        )
    await session.flush()
    return await view(session, order)


def _check_receipt(
    order: PurchaseOrder, lines: dict[UUID, PurchaseOrderLine], received: Sequence[ReceivedLine]
) -> None:
    if order.status not in OPEN:
        raise PurchaseOrderClosed()
    for entry in received:
        line = lines.get(entry.product_id)
        if line is None or line.received_quantity + entry.quantity > line.quantity:
            left = 0 if line is None else line.quantity - line.received_quantity
            raise OverReceipt(extra={"product_id": str(entry.product_id), "expected": left})


async def receive(
    session: AsyncSession,
    order: PurchaseOrder,
    received: Sequence[ReceivedLine],
    *,
    actor_user_id: UUID | None,
) -> OrderView:
    """A delivery against a locked order: each line a `delivery` movement worth packs x
    cost; the order is received once every line is."""
    lines = {line.product_id: line for line in await repository.order_lines(session, order.id)}
    _check_receipt(order, lines, received)
    items = await service.lock(session, [entry.product_id for entry in received])
    reference = service.Reference(ReferenceKind.purchase_order, order.id)
    for entry in received:
        line, item = lines[entry.product_id], items[entry.product_id]
        cost = line.unit_cost_cents if entry.unit_cost_cents is None else entry.unit_cost_cents
        change = service.Change(
            entry.product_id,
            entry.quantity * item.pack_size,
            Cause.delivery,
            cost_cents=entry.quantity * cost,
            unit_cost_cents=cost,
            supplier_id=order.supplier_id,
        )
        await service.apply(session, item, change, reference=reference, actor_user_id=actor_user_id)
        line.received_quantity += entry.quantity
    done = all(line.received_quantity == line.quantity for line in lines.values())
    order.status = OrderStatus.received if done else OrderStatus.partially_received
    order.closed_at = utcnow() if done else None
    await session.flush()
    return await view(session, order)


async def cancel(session: AsyncSession, order: PurchaseOrder) -> OrderView:
    """What was not received will not come; what was stays in stock."""
    if order.status not in OPEN:
        raise PurchaseOrderClosed()
    order.status, order.closed_at = OrderStatus.cancelled, utcnow()
    await session.flush()
    return await view(session, order)
