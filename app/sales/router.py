"""The till over HTTP: managers set tills up and read the closings; the front desk opens a
till, takes cash in and out, closes it with the cash counted, and issues receipts."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Response, status
from fastapi.responses import JSONResponse

from app.auth.public import DbSession, FrontDesk, Manager
from app.core.errors import error_responses
from app.core.pagination import Page, Pagination, paginate
from app.journal.public import ClosingLevel, closings_page, x_report
from app.sales import repository, service, tickets
from app.sales.dependencies import RegisterForDesk
from app.sales.errors import (
    RegisterAlreadyOpen,
    RegisterNameTaken,
    RegisterNotFound,
    RegisterNotOpen,
    TicketNotFound,
)
from app.sales.models import CashRegister
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
