"""Adding up the journal's sales (tickets, credit tickets and cancellations, net) into the
rows of a report: per day, tender, VAT rate, or per line's category, item or practitioner.

Each record gives one or more parts (a share of an amount, under a row's key); a row adds up
its parts. A ticket-based report (day, tender, VAT rate) reads each ticket's own totals; a
line-based one reads its lines: a line's amount with VAT is `amount_incl_vat_cents`, its VAT
that less `total_excl_vat_cents`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from app.core.money import split
from app.journal.public import TenderMethod, TicketLine, TicketPayload

GroupBy = Literal["day", "tender", "vat_rate", "category", "product", "practitioner"]
TICKET_BASED = frozenset({"day", "tender", "vat_rate"})
NO_PRACTITIONER = "none"
TOTAL = "total"


@dataclass(frozen=True, slots=True)
class Sale:
    """A sales record of the journal, read back."""

    record_id: UUID
    correction: bool  # a credit ticket or a cancellation
    day: date  # the local date it was recorded
    ticket: TicketPayload


@dataclass(frozen=True, slots=True)
class Part:
    key: str
    sale: Sale
    incl_cents: int
    excl_cents: int | None = None  # None: a tender, which has no VAT of its own
    quantity: int | None = None  # None: not counted in this report


@dataclass(frozen=True, slots=True)
class SalesRow:
    key: str
    label: str
    ticket_count: int  # tickets with a part in the row
    correction_count: int  # credit tickets and cancellations with a part in it
    quantity: int | None  # net of returns; None in a ticket-based report
    total_excl_vat_cents: int | None  # None for a tender
    vat_cents: int | None
    total_incl_vat_cents: int


def signed_quantity(line: TicketLine, correction: bool) -> int:
    """A line's quantity, negative when it gives back (a return, whatever the sign put on
    the quantity or on the price), so that a credit ticket undoes its ticket."""
    amount = line.amount_incl_vat_cents
    returned = amount < 0 or (amount == 0 and correction)
    return -abs(line.quantity) if returned else abs(line.quantity)


def split_evenly(cents: int, ways: int) -> list[int]:
    """Even shares, the odd cents to the first; a negative amount splits like its opposite,
    so a credit ticket takes back from each practitioner what her ticket gave her."""
    sign = -1 if cents < 0 else 1
    return [sign * share for share in split(abs(cents), [1] * ways)]


def day_parts(sales: Iterable[Sale]) -> Iterator[Part]:
    for sale in sales:
        ticket = sale.ticket
        yield Part(
            sale.day.isoformat(), sale, ticket.total_incl_vat_cents, ticket.total_excl_vat_cents
        )


def tender_parts(sales: Iterable[Sale]) -> Iterator[Part]:
    """What each tender took, cash net of the change given back."""
    for sale in sales:
        taken: dict[str, int] = defaultdict(int)
        for tender in sale.ticket.tenders:
            taken[tender.method] += tender.amount_cents
        if sale.ticket.change_cents:
            taken[TenderMethod.cash] -= sale.ticket.change_cents
        for method, cents in taken.items():
            yield Part(str(method), sale, cents)


def vat_rate_parts(sales: Iterable[Sale]) -> Iterator[Part]:
    for sale in sales:
        for vat in sale.ticket.vat:
            yield Part(str(vat.rate), sale, vat.base_cents + vat.vat_cents, vat.base_cents)


def line_parts(sales: Iterable[Sale], key_of: Callable[[TicketLine], str | None]) -> Iterator[Part]:
    """One part per line, under `key_of(line)` (a line keyed None is left out)."""
    for sale in sales:
        for line in sale.ticket.lines:
            key = key_of(line)
            if key is not None:
                yield Part(
                    key,
                    sale,
                    line.amount_incl_vat_cents,
                    line.total_excl_vat_cents,
                    signed_quantity(line, sale.correction),
                )


def practitioner_parts(sales: Iterable[Sale]) -> Iterator[Part]:
    """A line's amounts shared evenly between its practitioners (the odd cents to the first);
    each of them is credited the whole quantity. A line with none is under NO_PRACTITIONER."""
    for sale in sales:
        for line in sale.ticket.lines:
            keys = [str(p) for p in line.practitioner_ids] or [NO_PRACTITIONER]
            excl = split_evenly(line.total_excl_vat_cents, len(keys))
            incl = split_evenly(line.amount_incl_vat_cents, len(keys))
            quantity = signed_quantity(line, sale.correction)
            for key, excl_share, incl_share in zip(keys, excl, incl, strict=True):
                yield Part(key, sale, incl_share, excl_share, quantity)


PARTS: dict[str, Callable[[Iterable[Sale]], Iterator[Part]]] = {
    "day": day_parts,
    "tender": tender_parts,
    "vat_rate": vat_rate_parts,
    "practitioner": practitioner_parts,
}


def add_up(key: str, label: str, parts: Iterable[Part]) -> SalesRow:
    """One row from its parts: amounts summed, tickets and corrections counted once each."""
    parts = list(parts)
    quantities = [p.quantity for p in parts]
    excls = [p.excl_cents for p in parts]
    incl = sum(p.incl_cents for p in parts)
    excl = None if None in excls else sum(e or 0 for e in excls)
    return SalesRow(
        key=key,
        label=label,
        ticket_count=len({p.sale.record_id for p in parts if not p.sale.correction}),
        correction_count=len({p.sale.record_id for p in parts if p.sale.correction}),
        quantity=None if None in quantities else sum(q or 0 for q in quantities),
        total_excl_vat_cents=excl,
        vat_cents=None if excl is None else incl - excl,
        total_incl_vat_cents=incl,
    )


def rows(parts: Iterable[Part], labels: Mapping[str, str]) -> list[SalesRow]:
    """A row per key, in the order keys first appear (labels missing: the key itself)."""
    grouped: dict[str, list[Part]] = defaultdict(list)
    for part in parts:
        grouped[part.key].append(part)
    return [add_up(key, labels.get(key, key), found) for key, found in grouped.items()]


def totals(sales: list[Sale], group_by: GroupBy) -> SalesRow:
    """The report's total: the tickets' own totals in a ticket-based report, the sum of the
    lines in a line-based one (the rows add up to it either way; a line shared by two
    practitioners counts its quantity once here)."""
    if group_by in TICKET_BASED:
        return add_up(TOTAL, "Total", day_parts(sales))
    return add_up(TOTAL, "Total", line_parts(sales, lambda line: TOTAL))


def by_revenue(found: list[SalesRow]) -> list[SalesRow]:
    return sorted(found, key=lambda row: (-row.total_incl_vat_cents, row.label, row.key))


def by_quantity(found: list[SalesRow]) -> list[SalesRow]:
    """Best sellers first: by net quantity, then net revenue (VAT included)."""
    return sorted(
        found, key=lambda row: (-(row.quantity or 0), -row.total_incl_vat_cents, row.label)
    )


def in_order(found: list[SalesRow], group_by: GroupBy) -> list[SalesRow]:
    """Days and VAT rates in their order, tenders in the till's, the rest by revenue."""
    if group_by == "day":
        return sorted(found, key=lambda row: row.key)
    if group_by == "vat_rate":
        return sorted(found, key=lambda row: Decimal(row.key))
    if group_by == "tender":
        order = list(TenderMethod)
        return sorted(found, key=lambda row: order.index(TenderMethod(row.key)))
    return by_revenue(found)
