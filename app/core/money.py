"""Money is an integer number of cents. One rounding rule (half up, on cents) for VAT and
percentages, and a split that always sums to the total."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal


def percent_of(amount_cents: int, percent: Decimal) -> int:
    """`percent` % of an amount, rounded half up to the cent."""
    return int((Decimal(amount_cents) * percent / 100).quantize(Decimal(1), ROUND_HALF_UP))


def vat_included(gross_cents: int, rate_percent: Decimal) -> int:
    """The VAT inside a VAT-inclusive price (20 % of 120.00 € is 20.00 €)."""
    net = (Decimal(gross_cents) * 100 / (100 + rate_percent)).quantize(Decimal(1), ROUND_HALF_UP)
    return gross_cents - int(net)


def split(total_cents: int, weights: Sequence[int]) -> list[int]:
    """Share `total_cents` in proportion to `weights` by largest remainder: parts sum exactly
    to the total (a tip split between practitioners, a discount across lines)."""
    if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
        raise ValueError("weights must be non-negative with a positive sum")
    whole = sum(weights)
    shares = [total_cents * w // whole for w in weights]
    remainders = sorted(
        range(len(weights)), key=lambda i: (total_cents * weights[i]) % whole, reverse=True
    )
    for i in remainders[: total_cents - sum(shares)]:
        shares[i] += 1
    return shares


def euros(cents: int) -> str:
    """« 27,00 € » as clients read it: French decimal comma, a non-breaking space before €."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole},{part:02d}\u00a0€"


def decimal_amount(cents: int) -> str:
    """« 27.00 »: the amount as providers' APIs and English messages write it, from integer
    cents (never through a float)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


def decimal_comma(cents: int) -> str:
    """« 1234,50 »: the amount as French accounting files write it (the FEC): a decimal
    comma, no thousands separator, no currency."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole},{part:02d}"


def whole_euros(cents: int) -> int:
    """Cents rounded half up (away from zero) to whole euros: the VAT return's boxes."""
    whole, part = divmod(abs(cents), 100)
    rounded = whole + (part >= 50)
    return -rounded if cents < 0 else rounded
