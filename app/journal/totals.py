"""Adding up stored sales records: the one computation behind closings, X reports and their
verification (which runs it again over the records a closing covers)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from app.journal.payloads import PeriodTotals, TenderAmount, TenderMethod, VatAmount


class Accumulator:
    """Totals per VAT rate and per tender over sales payloads (stored JSON, read as is)."""

    def __init__(self) -> None:
        self.count = 0
        self.vat: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        self.tenders: dict[str, int] = defaultdict(int)
        self.excl = self.incl = 0

    def add(self, payload: Mapping[str, Any]) -> None:
        self.count += 1
        self.excl += payload["total_excl_vat_cents"]
        self.incl += payload["total_incl_vat_cents"]
        for vat in payload["vat"]:
            amounts = self.vat[vat["rate"]]
            amounts[0] += vat["base_cents"]
            amounts[1] += vat["vat_cents"]
        for tender in payload["tenders"]:
            self.tenders[tender["method"]] += tender["amount_cents"]
        if payload.get("change_cents"):
            self.tenders[TenderMethod.cash] -= payload["change_cents"]

    def merge(self, other: Accumulator) -> None:
        self.count += other.count
        self.excl += other.excl
        self.incl += other.incl
        for rate, (base, vat) in other.vat.items():
            self.vat[rate][0] += base
            self.vat[rate][1] += vat
        for method, cents in other.tenders.items():
            self.tenders[method] += cents

    def totals(self) -> PeriodTotals:
        by_vat = tuple(
            VatAmount(rate=Decimal(rate), base_cents=base, vat_cents=vat)
            for rate, (base, vat) in sorted(self.vat.items(), key=lambda item: Decimal(item[0]))
        )
        by_tender = tuple(
            TenderAmount(method=TenderMethod(method), amount_cents=cents)
            for method, cents in sorted(self.tenders.items())
        )
        return PeriodTotals(
            ticket_count=self.count,
            by_vat=by_vat,
            by_tender=by_tender,
            total_excl_vat_cents=self.excl,
            total_vat_cents=self.incl - self.excl,
            total_incl_vat_cents=self.incl,
        )


def add_up(payloads: Iterable[Mapping[str, Any]]) -> PeriodTotals:
    accumulator = Accumulator()
    for payload in payloads:
        accumulator.add(payload)
    return accumulator.totals()
