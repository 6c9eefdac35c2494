"""The order's arithmetic, in integer cents, with one rounding rule (docs/till.md, "Amounts").

Prices are VAT included, as the client reads them. A line costs quantity x unit price less
its discount. Its amount without VAT is that amount divided by (1 + rate), rounded half up
to the cent (`core.money.vat_included`); the VAT of a rate is the sum of its lines' amounts
with VAT less the sum of their amounts without. So the lines, the VAT per rate and the
totals always add up exactly, and a credit ticket for a whole line (minus amounts, the same
rule: half up rounds away from zero) cancels it to the cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.core.money import split, vat_included


@dataclass(frozen=True, slots=True)
class Priced:
    quantity: int
    unit_price_cents: int
    vat_rate: Decimal
    discount_cents: int = 0

    @property
    def amount_cents(self) -> int:
        return self.quantity * self.unit_price_cents - self.discount_cents

    @property
    def excl_vat_cents(self) -> int:
        return self.amount_cents - vat_included(self.amount_cents, self.vat_rate)


@dataclass(frozen=True, slots=True)
class RateTotal:
    rate: Decimal
    base_cents: int
    vat_cents: int


@dataclass(frozen=True, slots=True)
class Totals:
    excl_vat_cents: int
    incl_vat_cents: int
    by_rate: tuple[RateTotal, ...]  # ordered by rate


def totals(lines: Sequence[Priced]) -> Totals:
    by_rate: dict[Decimal, list[int]] = {}
    for line in lines:
        amounts = by_rate.setdefault(line.vat_rate, [0, 0])
        amounts[0] += line.excl_vat_cents
        amounts[1] += line.amount_cents
    rates = tuple(
        RateTotal(rate, base, incl - base) for rate, (base, incl) in sorted(by_rate.items())
    )
    return Totals(
        excl_vat_cents=sum(r.base_cents for r in rates),
        incl_vat_cents=sum(line.amount_cents for line in lines),
        by_rate=rates,
    )


def spread(discount_cents: int, amounts: Sequence[int]) -> list[int]:
    """A discount on several lines shared in proportion to what each costs (largest
    remainder: the shares sum to the discount), never more than a line costs."""
    if discount_cents <= 0 or not any(amounts):
        return [0] * len(amounts)
    return split(min(discount_cents, sum(amounts)), list(amounts))


def returned_discount(discount_cents: int, quantity: int, before: int, now: int) -> int:
    """The part of a line's discount that `now` units given back carry, after `before` were:
    cumulative floors, so a line returned in several goes gives back its whole discount."""
    return discount_cents * (before + now) // quantity - discount_cents * before // quantity
