"""What the sales tests share: a till made through the API, and tickets appended to the
journal the way the orders will (with the till's `register_id`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from httpx import AsyncClient

from app.core.db import unit_of_work
from app.journal import public as journal
from app.journal.public import TenderAmount, TenderMethod, TicketLine, TicketPayload, VatAmount


async def make_register(client: AsyncClient, manager: dict[str, str], name: str = "Accueil") -> str:
    made = await client.post("/api/v1/sales/registers", json={"name": name}, headers=manager)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def two_rate_ticket(
    number: str, at: datetime, *, till: str = "Accueil", cash_given_cents: int = 10000
) -> TicketPayload:
    """A facial at 20 % by Camille (60,00 €) and two books at 5,5 % (10,55 € each): 81,10 €,
    paid in cash, the change given back."""
    return TicketPayload(
        number=number,
        issued_at=at,
        till=till,
        lines=(
            TicketLine(
                label="Soin visage éclat",
                quantity=1,
                unit_price_cents=6000,
                total_excl_vat_cents=5000,
                vat_rate=Decimal("20"),
                practitioners=("Camille Durand",),
            ),
            TicketLine(
                label="Livre « Rituels beauté »",
                quantity=2,
                unit_price_cents=1055,
                total_excl_vat_cents=2000,
                vat_rate=Decimal("5.5"),
            ),
        ),
        total_excl_vat_cents=7000,
        vat=(
            VatAmount(rate=Decimal("20"), base_cents=5000, vat_cents=1000),
            VatAmount(rate=Decimal("5.5"), base_cents=2000, vat_cents=110),
        ),
        total_incl_vat_cents=8110,
        tenders=(TenderAmount(method=TenderMethod.cash, amount_cents=cash_given_cents),),
        change_cents=cash_given_cents - 8110,
    )


async def append_ticket(
    ticket: TicketPayload, register_id: str | UUID | None, *, training: bool = False
) -> journal.RecordRef:
    async with unit_of_work() as session:
        return await journal.append(
            session,
            journal.RecordKind.ticket,
            ticket,
            register_id=UUID(str(register_id)) if register_id else None,
            training=training,
        )


async def records(kind: str | None = None) -> list[dict[str, Any]]:
    """The sales chain's records (kind and payload), in order."""
    from sqlalchemy import select

    from app.journal.models import JournalRecord

    async with unit_of_work() as session:
        query = select(JournalRecord).where(JournalRecord.chain == "sales")
        if kind is not None:
            query = query.where(JournalRecord.kind == kind)
        rows = await session.scalars(query.order_by(JournalRecord.sequence))
        return [{"kind": r.kind, "payload": r.payload, "register_id": r.register_id} for r in rows]


async def verified() -> journal.VerificationReport:
    async with unit_of_work() as session:
        return await journal.verify(session)
