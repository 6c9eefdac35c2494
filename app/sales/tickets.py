"""A ticket's receipt, issued from its journal record: the first issue is the original,
every later one a DUPLICATA with its count, itself a journal record (`duplicate`). The
receipt is printed (PDF A4 or thermal), sent to a receipt printer (JSON) or e-mailed."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Literal
from uuid import UUID

from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.money import euros
from app.core.timeutils import zone
from app.journal import public as journal
from app.notifications import public as notifications
from app.sales import repository
from app.sales.errors import TicketNotFound
from app.sales.pdf import render_receipt
from app.sales.receipts import receipt_json, salon_identity
from app.sales.service import SALE_KINDS

ReceiptFormat = Literal["pdf", "thermal", "json", "email"]


@dataclass(frozen=True, slots=True)
class Issued:
    record: journal.StoredRecord
    ticket: journal.TicketPayload
    duplicate_count: int | None  # None: the original


async def get_ticket(
    session: AsyncSession, record_id: UUID
) -> tuple[journal.StoredRecord, journal.TicketPayload]:
    """A ticket, credit ticket or cancellation as the journal signed it."""
    record = await journal.get_record(session, record_id)
    if record is None or record.kind not in SALE_KINDS:
        raise TicketNotFound()
    return record, journal.TicketPayload.model_validate(record.payload)


async def issue(session: AsyncSession, record_id: UUID, *, fmt: ReceiptFormat) -> Issued:
    """Count one more issue of the ticket's receipt; from the second on, journal the
    duplicate (in the ticket's own chain: a training ticket's copies stay in training)."""
    record, ticket = await get_ticket(session, record_id)
    now = utcnow()
    issued = await repository.count_issue(session, record.id, now)
    if issued == 1:
        return Issued(record, ticket, None)
    payload = journal.DuplicatePayload(
        ticket_number=ticket.number, copy_number=issued - 1, printed_at=now, format=fmt
    )
    await journal.append(
        session,
        journal.RecordKind.duplicate,
        payload,
        register_id=record.register_id,
        training=record.chain is journal.Chain.training,
    )
    return Issued(record, ticket, issued - 1)


async def receipt(
    session: AsyncSession, record_id: UUID, *, fmt: Literal["pdf", "thermal", "json"]
) -> bytes | dict[str, Any]:
    """The receipt in `fmt`: PDF bytes, or the JSON for a receipt printer."""
    issued = await issue(session, record_id, fmt=fmt)
    identity = salon_identity()
    if fmt == "json":
        return receipt_json(issued.ticket, identity, duplicate_count=issued.duplicate_count)
    width: Literal["a4", "thermal"] = "a4" if fmt == "pdf" else "thermal"
    # Rendering is CPU work: off the event loop, so other requests go on meanwhile.
    return await to_thread.run_sync(
        partial(
            render_receipt,
            issued.ticket,
            identity,
            duplicate_count=issued.duplicate_count,
            width=width,
        )
    )


async def email_receipt(
    session: AsyncSession, record_id: UUID, *, email: str, first_name: str = ""
) -> tuple[Issued, bool]:
    """E-mail the receipt (A4 PDF attached, carried in the message: it holds no secret)."""
    issued = await issue(session, record_id, fmt="email")
    ticket = issued.ticket
    pdf = await to_thread.run_sync(
        partial(render_receipt, ticket, salon_identity(), duplicate_count=issued.duplicate_count)
    )
    local = ticket.issued_at.astimezone(zone())
    message = await notifications.queue(
        session,
        template="sales_receipt",
        channel=notifications.Channel.email,
        recipient=notifications.Recipient(None, first_name, email, None),
        context={
            "note": {
                "kind": "note" if ticket.corrects is None else "avoir",
                "number": ticket.number,
                "date": f"{local:%d/%m/%Y}",
                "time": f"{local:%H:%M}",
                "total": euros(ticket.total_incl_vat_cents),
                "duplicate": issued.duplicate_count,
            }
        },
        attachments=[notifications.encode_attachment(f"note-{ticket.number}.pdf", pdf)],
        meta={"journal_record_id": str(record_id)},
    )
    return issued, message is not None
