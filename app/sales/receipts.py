"""The receipt ("note") of a ticket, built only from the ticket's journal record, so it says
exactly what the journal signed. Every mention the law asks is here (docs/till.md,
"Receipts"); the PDF (A4, 80 mm thermal) and the JSON for a receipt printer read the same
`receipt_json`."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from app.core.config import get_settings
from app.core.money import euros
from app.core.timeutils import zone
from app.journal.public import TENDER_LABELS, TicketPayload


@dataclass(frozen=True, slots=True)
class SalonIdentity:
    name: str
    address: str
    siret: str
    vat_number: str
    phone: str = ""


def salon_identity() -> SalonIdentity:
    """The salon's legal identity from the settings (SALON_NAME, _ADDRESS, _SIRET, ...)."""
    salon = get_settings().salon
    return SalonIdentity(salon.name, salon.address, salon.siret, salon.vat_number, salon.phone)


def rate_text(rate: Any) -> str:
    """« 20 % », « 5,5 % »: a VAT rate as the receipt prints it."""
    text = str(Decimal(rate).quantize(Decimal("0.01"))).rstrip("0").rstrip(".").replace(".", ",")
    return f"{text}\u00a0%"


def title_of(ticket: TicketPayload, duplicate_count: int | None) -> str:
    title = "Note" if ticket.corrects is None else "Avoir"
    return f"{title} — DUPLICATA {duplicate_count}" if duplicate_count else title


def _line(line: Any) -> dict[str, Any]:
    return {
        "label": line.label,
        "quantity": line.quantity,
        "unit_price_cents": line.unit_price_cents,
        "unit_price": euros(line.unit_price_cents),
        "total_excl_vat_cents": line.total_excl_vat_cents,
        "total_excl_vat": euros(line.total_excl_vat_cents),
        "vat_rate": str(line.vat_rate),
        "vat_rate_text": rate_text(line.vat_rate),
        "practitioners": list(line.practitioners),
        "discount_cents": line.discount_cents,
        "discount_reason": line.discount_reason,
        "total_incl_vat_cents": line.amount_incl_vat_cents,
    }


def _duplicate(count: int | None) -> dict[str, Any] | None:
    return {"count": count, "mention": f"DUPLICATA {count}"} if count else None


def receipt_json(
    ticket: TicketPayload, identity: SalonIdentity, *, duplicate_count: int | None
) -> dict[str, Any]:
    """The receipt as structured data (a receipt printer's input): amounts in cents and as
    printed, French labels; `duplicate` is null on the original."""
    local = ticket.issued_at.astimezone(zone())
    vat_total = sum(v.vat_cents for v in ticket.vat)
    practitioners = sorted({name for line in ticket.lines for name in line.practitioners})
    return {
        "title": title_of(ticket, duplicate_count),
        "duplicate": _duplicate(duplicate_count),
        "salon": asdict(identity),
        "number": ticket.number,
        "issued_at": local.isoformat(),
        "date": f"{local:%d/%m/%Y}",
        "time": f"{local:%H:%M}",
        "till": ticket.till,
        "client_name": ticket.client_name,
        "currency": ticket.currency,
        "lines": [_line(line) for line in ticket.lines],
        "practitioners": practitioners,
        "total_excl_vat_cents": ticket.total_excl_vat_cents,
        "vat": [
            {"rate": str(v.rate), "rate_text": rate_text(v.rate)}
            | v.model_dump(include={"base_cents", "vat_cents"})
            for v in ticket.vat
        ],
        "total_vat_cents": vat_total,
        "total_incl_vat_cents": ticket.total_incl_vat_cents,
        "tenders": [
            {
                "method": str(t.method),
                "label": TENDER_LABELS[t.method],
                "amount_cents": t.amount_cents,
            }
            for t in ticket.tenders
        ],
        "change_cents": ticket.change_cents,
        "corrects": ticket.corrects.number if ticket.corrects else None,
        "text": printed_lines(ticket, identity, duplicate_count=duplicate_count),
    }


def _identity_lines(identity: SalonIdentity) -> list[str]:
    lines = [identity.name, identity.address]
    if identity.phone:
        lines.append(f"Tél. {identity.phone}")
    return [*lines, f"SIRET {identity.siret}", f"N° TVA intracommunautaire {identity.vat_number}"]


def _item_lines(ticket: TicketPayload) -> list[str]:
    lines = []
    for line in ticket.lines:
        lines.append(line.label)
        lines.append(
            f"  {line.quantity} x {euros(line.unit_price_cents)} TTC — TVA "
            f"{rate_text(line.vat_rate)} — {euros(line.total_excl_vat_cents)} HT"
        )
        if line.discount_cents:
            reason = f" ({line.discount_reason})" if line.discount_reason else ""
            lines.append(f"  Remise{reason} : -{euros(line.discount_cents)}")
        if line.practitioners:
            lines.append(f"  Réalisé par {', '.join(line.practitioners)}")
    return lines


def _total_lines(ticket: TicketPayload) -> list[str]:
    lines = [f"Total HT : {euros(ticket.total_excl_vat_cents)}"]
    for v in ticket.vat:
        lines.append(f"TVA {rate_text(v.rate)} sur {euros(v.base_cents)} HT : {euros(v.vat_cents)}")
    lines.append(f"Total TVA : {euros(sum(v.vat_cents for v in ticket.vat))}")
    lines.append(f"Total TTC : {euros(ticket.total_incl_vat_cents)}")
    for tender in ticket.tenders:
        lines.append(f"{TENDER_LABELS[tender.method]} : {euros(tender.amount_cents)}")
    lines.append(f"Rendu : {euros(ticket.change_cents)}")
    return lines


def printed_lines(
    ticket: TicketPayload, identity: SalonIdentity, *, duplicate_count: int | None
) -> list[str]:
    """The receipt as the lines a printer prints, top to bottom, in French."""
    local = ticket.issued_at.astimezone(zone())
    head = [title_of(ticket, duplicate_count).upper()]
    number = f"Ticket n° {ticket.number}"
    if ticket.corrects is not None:
        number += f" (avoir sur le ticket n° {ticket.corrects.number})"
    when = f"Le {local:%d/%m/%Y} à {local:%H:%M} — Caisse : {ticket.till}"
    client = [f"Client : {ticket.client_name}"] if ticket.client_name else []
    tail = ["Merci de votre visite."]
    if duplicate_count:
        tail.insert(0, f"DUPLICATA {duplicate_count} — ce document n'est pas l'original.")
    return [
        *_identity_lines(identity),
        *head,
        number,
        when,
        *client,
        *_item_lines(ticket),
        *_total_lines(ticket),
        *tail,
    ]
