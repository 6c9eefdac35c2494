"""The small rules behind the line-based reports: a line shared between practitioners, the
sign of a quantity given back, a VAT rate's label."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.journal.public import TicketLine
from app.reports.labels import vat_label
from app.reports.sales import signed_quantity, split_evenly


@pytest.mark.parametrize(
    ("cents", "ways", "shares"),
    [
        (6001, 2, [3001, 3000]),
        (-6001, 2, [-3001, -3000]),  # a credit ticket takes back each one's share
        (100, 3, [34, 33, 33]),
        (101, 3, [34, 34, 33]),
        (0, 2, [0, 0]),
    ],
)
def test_a_shared_amount_splits_evenly_the_odd_cents_to_the_first(
    cents: int, ways: int, shares: list[int]
) -> None:
    assert split_evenly(cents, ways) == shares
    assert sum(split_evenly(cents, ways)) == cents


def _line(quantity: int, unit_price_cents: int) -> TicketLine:
    return TicketLine(
        label="Shampoing",
        quantity=quantity,
        unit_price_cents=unit_price_cents,
        total_excl_vat_cents=0,
        vat_rate=Decimal("20"),
    )


@pytest.mark.parametrize(
    ("quantity", "price", "correction", "counted"),
    [
        (2, 1800, False, 2),
        (-1, 1800, True, -1),  # the till's credit ticket: minus quantity
        (1, -1800, True, -1),  # or a minus price
        (1, 0, False, 1),  # a free sample on a ticket
        (1, 0, True, -1),  # given back on a credit ticket
    ],
)
def test_a_line_that_gives_back_counts_its_quantity_as_minus(
    quantity: int, price: int, correction: bool, counted: int
) -> None:
    assert signed_quantity(_line(quantity, price), correction) == counted


@pytest.mark.parametrize(
    ("rate", "label"),
    [
        ("20.00", "TVA 20\u00a0%"),
        ("5.50", "TVA 5,5\u00a0%"),
        ("10", "TVA 10\u00a0%"),
        ("0.00", "TVA 0\u00a0%"),
    ],
)
def test_a_vat_rate_reads_as_the_receipt_prints_it(rate: str, label: str) -> None:
    assert vat_label(rate) == label
