"""The till over HTTP: managers set tills up and read the closings; the front desk opens a
till, takes cash in and out, closes it with the cash counted, and issues receipts."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Response, status
from fastapi.responses import JSONResponse

from app.auth.public import DbSession, FrontDesk, Manager
from app.bookings.public import BookingAlreadyAtTill, BookingNotBillable
from app.core.errors import error_responses
from app.core.pagination import Page, Pagination, paginate
from app.coupons.public import CouponRefused
from app.giftcards.public import InsufficientBalance
from app.journal.public import ClosingLevel, closings_page, x_report
from app.payments.public import (
    AmountExceedsBalance,
    NothingToPay,
    ReaderNotFound,
    ReaderRequired,
    TipNotAllowed,
)
from app.sales import checkout, orders, repository, returns, service, tickets, views
from app.sales.dependencies import RegisterForDesk
from app.sales.errors import (
    ClientMismatch,
    CreditAboveLimit,
    DiscountAboveLimit,
    DiscountTooLarge,
    NotATicket,
    NothingToReturn,
    NotInTraining,
    OnAccountNeedsBusinessClient,
    OnAccountStaffOnly,
    OrderHasPayments,
    OrderNotFound,
    OrderNotOpen,
    OrderNotPaid,
    PaymentInProgress,
    ProductNotSold,
    RegisterAlreadyOpen,
    RegisterNameTaken,
    RegisterNotFound,
    RegisterNotOpen,
    RegisterRequired,
    ServiceNotSold,
    SoldOnAccount,
    TicketNotFound,
)
from app.sales.models import CashRegister, Order
from app.sales.order_schemas import (
    CreditOut,
    OrderIn,
    OrderOut,
    RefundedTenderOut,
    RefundIn,
    TenderIn,
    TenderOut,
    TicketOut,
    TicketRef,
)
from app.sales.schemas import (
    CashMovementIn,
    CashMovementOut,
    CloseIn,
    ClosingOut,
    OpenIn,
    ReceiptEmailIn,
    ReceiptSentOut,
    RegisterIn,
    RegisterOut,
    SessionOut,
    TillXOut,
)

router = APIRouter(prefix="/api/v1/sales", tags=["sales"])
RECEIPT_TYPES = {"pdf": "application/pdf", "thermal": "application/pdf"}


@router.post(
    "/registers",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(RegisterNameTaken),
)
async def create_register(body: RegisterIn, _: Manager, session: DbSession) -> RegisterOut:
    """A new till; its name is printed on every ticket."""
    return RegisterOut.of(await service.create_register(session, name=body.name))


@router.get("/registers")
async def list_registers(_: FrontDesk, session: DbSession, page: Pagination) -> Page[RegisterOut]:
    return await paginate(
        session,
        repository.registers(),
        order_by=(CashRegister.name, CashRegister.id),
        params=page,
        to_item=RegisterOut.of,
    )


@router.get("/registers/{register_id}", responses=error_responses(RegisterNotFound))
async def get_register(register: RegisterForDesk, session: DbSession) -> RegisterOut:
    """The till, its open session (if any) and the cash the drawer should hold."""
    opened = await repository.open_session(session, register.id)
    if opened is None:
        return RegisterOut.of(register)
    cash = await service.expected_cash(session, opened)
    return RegisterOut.of(register, SessionOut.of(opened, cash))


@router.get("/registers/{register_id}/x", responses=error_responses(RegisterNotFound))
async def till_x_reading(_: Manager, register: RegisterForDesk, session: DbSession) -> TillXOut:
    """X reading of this till: the totals of its tickets since the last Z, now (not stored).
    The journal-wide X is `GET /api/v1/sales/journal/x`."""
    report = await x_report(session, register_id=register.id)
    return TillXOut(register_id=register.id, **report.model_dump())


@router.post(
    "/registers/{register_id}/open",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(RegisterNotFound, RegisterAlreadyOpen),
)
async def open_register(
    body: OpenIn, register: RegisterForDesk, actor: FrontDesk, session: DbSession
) -> SessionOut:
    """Open the till with the float counted in the drawer (journaled)."""
    opened = await service.open_register(
        session, register, float_cents=body.float_cents, actor_id=actor.user_id
    )
    return SessionOut.of(opened, await service.expected_cash(session, opened))


@router.post(
    "/registers/{register_id}/cash-movements",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(RegisterNotFound, RegisterNotOpen),
)
async def record_cash_movement(
    body: CashMovementIn, register: RegisterForDesk, actor: FrontDesk, session: DbSession
) -> CashMovementOut:
    """Cash put in or taken out of the open till, with its reason (journaled, with who)."""
    ref = await service.record_cash_movement(
        session, register, **body.model_dump(), actor_id=actor.user_id
    )
    expected = await service.expected_cash(
        session, await service.current_session(session, register)
    )
    return CashMovementOut(
        record_id=ref.id,
        sequence=ref.sequence,
        recorded_at=ref.recorded_at,
        expected_cents=expected.total_cents,
    )


@router.post(
    "/registers/{register_id}/close",
    responses=error_responses(RegisterNotFound, RegisterNotOpen),
)
async def close_register(
    body: CloseIn, register: RegisterForDesk, actor: FrontDesk, session: DbSession
) -> SessionOut:
    """Close the till with the cash counted per denomination: the expected cash, the count
    and their difference are journaled and answered, whatever the difference."""
    closed, cash = await service.close_register(
        session, register, counted=body.counts(), actor_id=actor.user_id
    )
    return SessionOut.of(closed, cash)


@router.get("/closings")
async def list_closings(
    _: Manager, session: DbSession, page: Pagination, level: ClosingLevel | None = None
) -> Page[ClosingOut]:
    """The journal's closings (Z, month, year), newest first, with their sealed totals."""
    found = await closings_page(session, page, level=level)
    return Page[ClosingOut](
        items=[ClosingOut.of(r) for r in found.items], next_cursor=found.next_cursor
    )


@router.get(
    "/tickets/{ticket_id}/receipt",
    responses={
        **error_responses(TicketNotFound),
        200: {"content": {"application/pdf": {}, "application/json": {}}},
    },
)
async def get_receipt(
    ticket_id: UUID,
    _: FrontDesk,
    session: DbSession,
    format: Literal["pdf", "thermal", "json"] = "pdf",
) -> Response:
    """The ticket's receipt (`ticket_id`: its journal record): PDF A4, PDF 80 mm
    (`thermal`) or JSON for a receipt printer. The first issue is the original; every later
    one is marked "DUPLICATA n" and journaled."""
    made = await tickets.receipt(session, ticket_id, fmt=format)
    if isinstance(made, dict):
        return JSONResponse(made)
    return Response(made, media_type=RECEIPT_TYPES[format])


@router.post(
    "/tickets/{ticket_id}/receipt/email",
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(TicketNotFound),
)
async def email_receipt(
    ticket_id: UUID, body: ReceiptEmailIn, _: FrontDesk, session: DbSession
) -> ReceiptSentOut:
    """E-mail the receipt, its PDF attached (counted as an issue: a DUPLICATA after the
    first)."""
    issued, queued = await tickets.email_receipt(
        session, ticket_id, email=body.email, first_name=body.first_name
    )
    return ReceiptSentOut(queued=queued, duplicate_count=issued.duplicate_count)


@router.post(
    "/orders",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        RegisterRequired,
        RegisterNotOpen,
        BookingNotBillable,
        BookingAlreadyAtTill,
        ClientMismatch,
        ServiceNotSold,
        ProductNotSold,
        DiscountTooLarge,
        DiscountAboveLimit,
        NotInTraining,
        PaymentInProgress,
        CouponRefused,
    ),
)
async def create_order(body: OrderIn, actor: FrontDesk, session: DbSession) -> OrderOut:
    """An order at the desk: a booking's services (what was paid online counted), walk-in
    services and products by id or EAN-13 barcode, at the catalog's prices. A manual
    discount states its reason; a receptionist's is limited
    (SALES_RECEPTIONIST_DISCOUNT_PERCENT)."""
    order = await orders.create_order(session, body.asked(), actor)
    return OrderOut.of(await views.order_view(session, order))


@router.get("/orders")
async def list_orders(
    _: FrontDesk,
    session: DbSession,
    page: Pagination,
    order_status: Literal["open", "completed", "cancelled"] | None = None,
    register_id: UUID | None = None,
) -> Page[OrderOut]:
    """The orders, newest first (`order_status`: only those)."""
    found: Page[Order] = await paginate(
        session,
        repository.orders_query(status=order_status, register_id=register_id),
        order_by=(Order.created_at, Order.id),
        params=page,
        descending=True,
        to_item=lambda order: order,
    )
    return Page[OrderOut](
        items=[OrderOut.of(await views.order_view(session, o)) for o in found.items],
        next_cursor=found.next_cursor,
    )


@router.get("/orders/{order_id}", responses=error_responses(OrderNotFound))
async def get_order(order_id: UUID, _: FrontDesk, session: DbSession) -> OrderOut:
    return OrderOut.of(await views.view_of(session, order_id))


@router.post(
    "/orders/{order_id}/payments",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        OrderNotFound,
        OrderNotOpen,
        NothingToPay,
        AmountExceedsBalance,
        InsufficientBalance,
        TipNotAllowed,
        NotInTraining,
        ReaderRequired,
        ReaderNotFound,
        OnAccountStaffOnly,
        OnAccountNeedsBusinessClient,
    ),
)
async def add_tender(
    order_id: UUID, body: TenderIn, actor: FrontDesk, session: DbSession
) -> TenderOut:
    """One tender towards the order (send an `Idempotency-Key`: a retried request takes the
    money once). Cash above what is due is the change given back; a gift card pays what it
    holds at most; on the card reader the tender is `pending` until the reader answers.
    `on_account` (a manager or the owner, a business client's order): what is left stays
    owed, on the ticket's invoice, which the company pays later (docs/till.md)."""
    tender = await checkout.add_tender(session, order_id, body.asked(), actor)
    view = await views.order_view(session, await orders.get_order(session, order_id))
    found = next(t for t in view.tenders if t.tender.id == tender.id)
    return TenderOut.of(found, due_cents=view.due_cents)


@router.post(
    "/orders/{order_id}/complete",
    responses=error_responses(OrderNotFound, OrderNotOpen, OrderNotPaid, PaymentInProgress),
)
async def complete_order(order_id: UUID, actor: FrontDesk, session: DbSession) -> TicketOut:
    """Complete a paid order: its numbered ticket in the journal, the products out of stock,
    the booking completed. A completed order answers its ticket again."""
    order = await checkout.complete_order(session, order_id, actor)
    return TicketOut.of(await views.order_view(session, order))


@router.post(
    "/orders/{order_id}/cancel",
    responses=error_responses(OrderNotFound, OrderNotOpen, OrderHasPayments),
)
async def cancel_order(order_id: UUID, _: FrontDesk, session: DbSession) -> OrderOut:
    """Abandon an open order nothing was paid for (its booking is paid on its own again)."""
    order = await orders.cancel_order(session, await orders.get_order(session, order_id, lock=True))
    return OrderOut.of(await views.order_view(session, order))


@router.post(
    "/tickets/{ticket_id}/refund",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        TicketNotFound,
        NotATicket,
        NothingToReturn,
        CreditAboveLimit,
        RegisterNotOpen,
        SoldOnAccount,
    ),
)
async def refund_ticket(
    ticket_id: UUID, body: RefundIn, actor: FrontDesk, session: DbSession
) -> CreditOut:
    """Give back lines of a ticket: a credit ticket that names it, the money back through
    the tenders that paid (cash, then the card, the gift card, a transfer, what was paid
    online), the products back in stock when `resellable`."""
    credit = await returns.refund_ticket(session, ticket_id, body.asked(), actor)
    note = credit.note
    return CreditOut(
        id=note.id,
        order_id=note.order_id,
        ticket=TicketRef(id=note.ticket_record_id, number=note.ticket_number),
        corrects=TicketRef(
            id=credit.order.ticket_record_id or ticket_id,
            number=credit.order.ticket_number or "",
        ),
        amount_cents=note.amount_cents,
        refunds=[
            RefundedTenderOut(
                method=r.method,
                amount_cents=r.amount_cents,
                payment_id=r.payment_id,
                refund_id=r.refund_id,
            )
            for r in credit.refunds
        ],
        created_at=note.created_at,
    )
