"""What the journal's tests share: a ticket builder."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from app.journal.public import TenderAmount, TenderMethod, TicketLine, TicketPayload, VatAmount


def ticket(
    number: str,
    at: datetime,
    *,
    price_cents: int = 6000,
    quantity: int = 1,
    rate: str = "20",
    cash: bool = False,
) -> TicketPayload:
    """One line, VAT included in the price, paid by card (or in cash with a 10 € note)."""
    total = price_cents * quantity
    net = round(total * 100 / (100 + Decimal(rate)))
    tenders = (
        (TenderAmount(method=TenderMethod.cash, amount_cents=total + 1000),)
        if cash
        else (TenderAmount(method=TenderMethod.card, amount_cents=total),)
    )
    return TicketPayload(
        number=number,
        issued_at=at,
        till="Accueil",
        lines=(
            TicketLine(
                label="Soin visage",
                quantity=quantity,
                unit_price_cents=price_cents,
                total_excl_vat_cents=net,
                vat_rate=Decimal(rate),
            ),
        ),
        total_excl_vat_cents=net,
        vat=(VatAmount(rate=Decimal(rate), base_cents=net, vat_cents=total - net),),
        total_incl_vat_cents=total,
        tenders=tenders,
        change_cents=1000 if cash else 0,
    )
