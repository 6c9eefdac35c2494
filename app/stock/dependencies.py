"""Loaders of the manager's stock routes: the count, purchase order or supplier, locked when
the request changes it, 404 when there is none."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request

from app.auth.public import DbSession, Manager, is_write
from app.stock import counts, purchasing
from app.stock.models import PurchaseOrder, StockCount, Supplier


async def count_for_manager(
    count_id: UUID, _: Manager, session: DbSession, request: Request
) -> StockCount:
    return await counts.get_count(session, count_id, lock=is_write(request))


async def order_for_manager(
    order_id: UUID, _: Manager, session: DbSession, request: Request
) -> PurchaseOrder:
    return await purchasing.get_order(session, order_id, lock=is_write(request))


async def supplier_for_manager(supplier_id: UUID, _: Manager, session: DbSession) -> Supplier:
    return await purchasing.get_supplier(session, supplier_id)


CountForManager = Annotated[StockCount, Depends(count_for_manager)]
OrderForManager = Annotated[PurchaseOrder, Depends(order_for_manager)]
SupplierForManager = Annotated[Supplier, Depends(supplier_for_manager)]
