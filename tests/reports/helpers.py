"""What the reports' tests share: ticket lines and tickets whose totals add up the way the
till computes them (VAT inside each line's price, per rate on the ticket), appended to the
journal at a given instant (its `recorded_at`), and the salon's catalog made through the API."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from httpx import AsyncClient

from app.core import clock
from app.core.db import unit_of_work
from app.core.money import vat_included
from app.journal import public as journal
from app.journal.public import (
    CorrectedTicket,
    TenderAmount,
    TenderMethod,
    TicketLine,
    TicketPayload,
    VatAmount,
)


def line(
    label: str,
    quantity: int,
    unit_price_cents: int,
    *,
    rate: str = "20",
    kind: Literal["service", "product"] | None = None,
    item_id: UUID | str | None = None,
    practitioners: tuple[tuple[UUID | str, str], ...] = (),
) -> TicketLine:
    """A line; its total without VAT is its price less the VAT inside it."""
    amount = quantity * unit_price_cents
    return TicketLine(
        label=label,
        quantity=quantity,
        unit_price_cents=unit_price_cents,
        total_excl_vat_cents=amount - vat_included(amount, Decimal(rate)),
        vat_rate=Decimal(rate),
        item_kind=kind,
        item_id=UUID(str(item_id)) if item_id else None,
        practitioner_ids=tuple(UUID(str(p)) for p, _ in practitioners),
        practitioners=tuple(name for _, name in practitioners),
    )


def ticket(
    number: str,
    at: datetime,
    lines: tuple[TicketLine, ...],
    tenders: tuple[tuple[TenderMethod, int], ...],
    *,
    change_cents: int = 0,
    corrects: str | None = None,
) -> TicketPayload:
    bases: dict[Decimal, list[int]] = defaultdict(lambda: [0, 0])
    for one in lines:
        bases[one.vat_rate][0] += one.total_excl_vat_cents
        bases[one.vat_rate][1] += one.amount_incl_vat_cents - one.total_excl_vat_cents
    return TicketPayload(
        number=number,
        issued_at=at,
        till="Accueil",
        lines=lines,
        total_excl_vat_cents=sum(base for base, _ in bases.values()),
        vat=tuple(VatAmount(rate=r, base_cents=b, vat_cents=v) for r, (b, v) in bases.items()),
        total_incl_vat_cents=sum(one.amount_incl_vat_cents for one in lines),
        tenders=tuple(TenderAmount(method=m, amount_cents=c) for m, c in tenders),
        change_cents=change_cents,
        corrects=CorrectedTicket(number=corrects) if corrects else None,
    )


async def record(
    payload: TicketPayload,
    kind: journal.RecordKind = journal.RecordKind.ticket,
    *,
    training: bool = False,
) -> journal.RecordRef:
    """Append the ticket as the till does, recorded at its `issued_at`."""
    with clock.frozen_at(payload.issued_at):
        async with unit_of_work() as session:
            return await journal.append(session, kind, payload, register_id=None, training=training)


async def make(client: AsyncClient, headers: dict[str, str], path: str, body: Any) -> str:
    made = await client.post(path, json=body, headers=headers)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])
