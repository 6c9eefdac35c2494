"""Stock over HTTP: the front desk reads the stock and records sales, returns, uses and
breakage; managers set products up, adjust, count, and deal with suppliers and orders."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, status

from app.auth.public import DbSession, FrontDesk, Manager
from app.core.config import get_settings
from app.core.errors import error_responses
from app.core.pagination import Page, Pagination, paginate
from app.stock import counts, purchasing, recipes, repository, service
from app.stock.dependencies import CountForManager, OrderForManager, SupplierForManager
from app.stock.errors import (
    CountAlreadyOpen,
    CountClosed,
    CountNotFound,
    InsufficientStock,
    NotOnCount,
    OverReceipt,
    PurchaseOrderClosed,
    PurchaseOrderNotFound,
    StockProductNotFound,
    StockServiceNotFound,
    SupplierNameTaken,
    SupplierNotFound,
    UnitLocked,
)
from app.stock.models import (
    Cause,
    PurchaseOrder,
    RecipeLine,
    StockCount,
    StockItem,
    StockMovement,
    Supplier,
)
from app.stock.purchase_schemas import (
    PurchaseOrderIn,
    PurchaseOrderOut,
    PurchaseOrderSummaryOut,
    ReceiptIn,
    SupplierIn,
    SupplierOut,
    SupplierUpdate,
)
from app.stock.schemas import (
    AdjustmentIn,
    CountEntriesIn,
    CountIn,
    CountOut,
    CountReportOut,
    CountSummaryOut,
    DeskMovementIn,
    MovementOut,
    MovementsOut,
    RecipeIn,
    RecipeLineOut,
    RecipeOut,
    StockItemIn,
    StockItemOut,
    StockValueOut,
)

router = APIRouter(prefix="/api/v1/stock", tags=["stock"])
CauseName = Literal["sale", "return", "delivery", "treatment", "breakage", "adjustment", "count"]
OrderStatusName = Literal["ordered", "partially_received", "received", "cancelled"]


def _movements(rows: list[StockMovement]) -> MovementsOut:
    return MovementsOut(movements=[MovementOut.model_validate(m) for m in rows])


@router.get("/items")
async def list_items(
    _: FrontDesk, session: DbSession, page: Pagination, low: bool | None = None
) -> Page[StockItemOut]:
    """Every stocked product with its quantity and value; `low=true`: those at or under
    their threshold."""
    return await paginate(
        session,
        repository.items(low=low),
        order_by=(StockItem.product_id,),
        params=page,
        to_item=StockItemOut.of,
    )


@router.get("/items/{product_id}", responses=error_responses(StockProductNotFound))
async def get_item(product_id: UUID, _: FrontDesk, session: DbSession) -> StockItemOut:
    return StockItemOut.of(await service.get_item(session, product_id))


@router.put(
    "/items/{product_id}",
    responses=error_responses(StockProductNotFound, UnitLocked, InsufficientStock),
)
async def set_item(
    product_id: UUID, body: StockItemIn, _: Manager, session: DbSession
) -> StockItemOut:
    """A product's stock unit, pack size, low-stock threshold and whether it may go below
    zero. The unit cannot change once the product has movements."""
    item = await service.set_item(session, product_id, **body.model_dump())
    return StockItemOut.of(item)


@router.get("/value")
async def stock_value(_: FrontDesk, session: DbSession) -> StockValueOut:
    """The whole stock's value at weighted average cost."""
    products, value = await service.value(session)
    return StockValueOut(
        products=products, value_cents=value, currency=get_settings().salon.currency
    )


@router.get("/movements")
async def list_movements(
    _: FrontDesk,
    session: DbSession,
    page: Pagination,
    product_id: UUID | None = None,
    cause: CauseName | None = None,
) -> Page[MovementOut]:
    """The ledger, newest first."""
    return await paginate(
        session,
        repository.movements(product_id=product_id, cause=cause),
        order_by=(StockMovement.at, StockMovement.id),
        params=page,
        descending=True,
        to_item=MovementOut.model_validate,
    )


@router.post(
    "/movements",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(StockProductNotFound, InsufficientStock),
)
async def record_movement(
    body: DeskMovementIn, staff: FrontDesk, session: DbSession
) -> MovementsOut:
    """A sale or a return (in packs), a use in a treatment or a breakage (in stock units).
    An unsellable return comes back and is written off at once: two movements."""
    written = await service.record_at_desk(
        session,
        cause=Cause(body.cause),
        product_id=body.product_id,
        quantity=body.quantity,
        resellable=body.resellable,
        reason=body.reason,
        reference=body.reference(),
        actor_user_id=staff.user_id,
    )
    return _movements(written)


@router.post(
    "/adjustments",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(StockProductNotFound, InsufficientStock),
)
async def adjust(body: AdjustmentIn, staff: Manager, session: DbSession) -> MovementsOut:
    """A manager's correction, either way, with its reason."""
    written = await service.adjust(
        session,
        product_id=body.product_id,
        quantity=body.quantity,
        reason=body.reason,
        actor_user_id=staff.user_id,
    )
    return _movements(written)


@router.get("/recipes")
async def list_recipe_lines(
    _: FrontDesk, session: DbSession, page: Pagination, service_id: UUID | None = None
) -> Page[RecipeLineOut]:
    """What each service uses, line by line."""
    return await paginate(
        session,
        repository.recipe_lines(service_id=service_id),
        order_by=(RecipeLine.service_id, RecipeLine.product_id),
        params=page,
        to_item=RecipeLineOut.model_validate,
    )


@router.get("/recipes/{service_id}", responses=error_responses(StockServiceNotFound))
async def get_recipe(service_id: UUID, _: FrontDesk, session: DbSession) -> RecipeOut:
    lines = await recipes.get_recipe(session, service_id)
    return RecipeOut(service_id=service_id, lines=[RecipeLineOut.model_validate(x) for x in lines])


@router.put(
    "/recipes/{service_id}",
    responses=error_responses(StockServiceNotFound, StockProductNotFound),
)
async def set_recipe(service_id: UUID, body: RecipeIn, _: Manager, session: DbSession) -> RecipeOut:
    """What one service uses, in each product's stock unit; consumed when a booking with
    this service is completed. An empty list: nothing."""
    lines = await recipes.set_recipe(
        session, service_id, [(line.product_id, line.quantity) for line in body.lines]
    )
    return RecipeOut(service_id=service_id, lines=[RecipeLineOut.model_validate(x) for x in lines])


@router.post(
    "/counts",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(CountAlreadyOpen, StockProductNotFound),
)
async def open_count(body: CountIn, staff: Manager, session: DbSession) -> CountOut:
    """A count sheet: the products (every stocked one by default) and what the stock
    expects. One count is open at a time."""
    sheet = await counts.open_count(
        session, product_ids=body.product_ids, note=body.note, actor_user_id=staff.user_id
    )
    return CountOut.of(sheet)


@router.get("/counts")
async def list_counts(_: Manager, session: DbSession, page: Pagination) -> Page[CountSummaryOut]:
    return await paginate(
        session,
        repository.counts(status=None),
        order_by=(StockCount.opened_at, StockCount.id),
        params=page,
        descending=True,
        to_item=CountSummaryOut.model_validate,
    )


@router.get("/counts/{count_id}", responses=error_responses(CountNotFound))
async def get_count(count: CountForManager, session: DbSession) -> CountOut:
    return CountOut.of(await counts.sheet(session, count))


@router.put(
    "/counts/{count_id}/entries",
    responses=error_responses(CountNotFound, CountClosed, NotOnCount),
)
async def enter_counted(
    body: CountEntriesIn, count: CountForManager, session: DbSession
) -> CountOut:
    """Quantities found on the shelf (again to correct one), in stock units."""
    entries = [(entry.product_id, entry.counted) for entry in body.entries]
    return CountOut.of(await counts.enter(session, count, entries))


@router.post("/counts/{count_id}/close", responses=error_responses(CountNotFound, CountClosed))
async def close_count(count: CountForManager, staff: Manager, session: DbSession) -> CountReportOut:
    """Book each difference as a `count` movement; answers the report."""
    report = await counts.close(session, count, actor_user_id=staff.user_id)
    return CountReportOut.of_report(report)


@router.get("/counts/{count_id}/report", responses=error_responses(CountNotFound))
async def count_report(count: CountForManager, session: DbSession) -> CountReportOut:
    """Expected, counted, difference and its value per line (values once closed)."""
    sheet = await counts.sheet(session, count)
    return CountReportOut.of_report(counts.report(count, sheet.lines))


@router.post(
    "/suppliers",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(SupplierNameTaken),
)
async def create_supplier(body: SupplierIn, _: Manager, session: DbSession) -> SupplierOut:
    return SupplierOut.model_validate(await purchasing.create_supplier(session, body.model_dump()))


@router.get("/suppliers")
async def list_suppliers(
    _: Manager, session: DbSession, page: Pagination, active: bool | None = None
) -> Page[SupplierOut]:
    return await paginate(
        session,
        repository.suppliers(active=active),
        order_by=(Supplier.name, Supplier.id),
        params=page,
        to_item=SupplierOut.model_validate,
    )


@router.get("/suppliers/{supplier_id}", responses=error_responses(SupplierNotFound))
async def get_supplier(supplier: SupplierForManager) -> SupplierOut:
    return SupplierOut.model_validate(supplier)


@router.patch(
    "/suppliers/{supplier_id}", responses=error_responses(SupplierNotFound, SupplierNameTaken)
)
async def update_supplier(
    body: SupplierUpdate, supplier: SupplierForManager, session: DbSession
) -> SupplierOut:
    fields = body.model_dump(exclude_unset=True)
    return SupplierOut.model_validate(await purchasing.update_supplier(session, supplier, fields))


@router.post(
    "/purchase-orders",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(SupplierNotFound, StockProductNotFound),
)
async def create_order(
    body: PurchaseOrderIn, staff: Manager, session: DbSession
) -> PurchaseOrderOut:
    """An order of packs at a cost per pack; the stock moves only when it is received."""
    view = await purchasing.create_order(
        session,
        supplier_id=body.supplier_id,
        lines=body.order_lines(),
        reference=body.reference,
        note=body.note,
        actor_user_id=staff.user_id,
    )
    return PurchaseOrderOut.of(view)


@router.get("/purchase-orders")
async def list_orders(
    _: Manager,
    session: DbSession,
    page: Pagination,
    status: OrderStatusName | None = None,
    supplier_id: UUID | None = None,
) -> Page[PurchaseOrderSummaryOut]:
    return await paginate(
        session,
        repository.orders(status=status, supplier_id=supplier_id),
        order_by=(PurchaseOrder.ordered_at, PurchaseOrder.id),
        params=page,
        descending=True,
        to_item=PurchaseOrderSummaryOut.model_validate,
    )


@router.get("/purchase-orders/{order_id}", responses=error_responses(PurchaseOrderNotFound))
async def get_order(order: OrderForManager, session: DbSession) -> PurchaseOrderOut:
    return PurchaseOrderOut.of(await purchasing.view(session, order))


@router.post(
    "/purchase-orders/{order_id}/receipts",
    responses=error_responses(PurchaseOrderNotFound, PurchaseOrderClosed, OverReceipt),
)
async def receive(
    body: ReceiptIn, order: OrderForManager, staff: Manager, session: DbSession
) -> PurchaseOrderOut:
    """Packs that arrived (all or part of the order, as often as deliveries come): each
    line a `delivery` movement at its cost, which moves the average cost."""
    view = await purchasing.receive(session, order, body.received(), actor_user_id=staff.user_id)
    return PurchaseOrderOut.of(view)


@router.post(
    "/purchase-orders/{order_id}/cancel",
    responses=error_responses(PurchaseOrderNotFound, PurchaseOrderClosed),
)
async def cancel_order(order: OrderForManager, session: DbSession) -> PurchaseOrderOut:
    """What was not received will not come; what was stays in stock."""
    return PurchaseOrderOut.of(await purchasing.cancel(session, order))
