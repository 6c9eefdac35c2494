"""What the accountant reads from the entries: the VAT return of a month or a quarter in the
boxes of the CA3 (rounded to whole euros, each figure with the entries behind it) and the
trial balance of a year."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounting import chart, repository
from app.accounting.schemas import (
    NonTaxableOut,
    TrialBalanceLine,
    TrialBalanceOut,
    VatLineOut,
    VatReportOut,
)
from app.core.errors import ValidationFailed
from app.core.money import whole_euros

# The CA3 (form 3310-CA3) line of each rate sold in metropolitan France. The 2,1 % rate has
# no line of its own in section B: the accountant reports it where her form puts it.
BOXES = {"20": "08", "5_5": "09", "10": "9B", "2_1": None}
# Arrhes kept: outside the scope of VAT, among the other non-taxable operations.
NON_TAXABLE_BOX = "E2"


def period_of(year: int, month: int | None, quarter: int | None) -> tuple[date, date]:
    """The dates of a month or a quarter of `year` (exactly one of them)."""
    if (month is None) == (quarter is None):
        raise ValidationFailed("Ask for a month or a quarter.")
    first = month if month is not None else 3 * (quarter or 1) - 2
    last = month if month is not None else first + 2
    end = repository.month_end(year, last)
    return date(year, first, 1), end


async def vat_report(session: AsyncSession, date_from: date, date_to: date) -> VatReportOut:
    """Base and VAT per rate from the VAT lines of the entries dated in the period (their
    bases: a single-purpose card's VAT counts when it is sold, not again when spent),
    collected VAT, deductible VAT (none: no purchase is in the books yet), credit or net due."""
    vat_keys = {chart.vat_collected(rate) for rate in chart.RATES}
    sums = await repository.sums_by_role(
        session, date_from, date_to, vat_keys | {chart.KEPT_DEPOSITS}
    )
    lines = []
    for rate in chart.RATES:
        vat, base, entries = sums.get(chart.vat_collected(rate), (0, 0, []))
        lines.append(
            VatLineOut(
                box=BOXES[chart.rate_tag(rate)],
                rate=rate,
                base_cents=base,
                vat_cents=vat,
                base_euros=whole_euros(base),
                vat_euros=whole_euros(vat),
                entries=entries,
            )
        )
    kept, _, kept_entries = sums.get(chart.KEPT_DEPOSITS, (0, 0, []))
    collected = sum(line.vat_euros for line in lines)
    deductible = 0
    return VatReportOut(
        date_from=date_from,
        date_to=date_to,
        lines=lines,
        non_taxable=NonTaxableOut(
            box=NON_TAXABLE_BOX,
            amount_cents=kept,
            amount_euros=whole_euros(kept),
            entries=kept_entries,
        ),
        vat_collected_cents=sum(line.vat_cents for line in lines),
        boxes={
            "16": collected,
            "19": 0,
            "20": deductible,
            "23": deductible,
            "25": max(deductible - collected, 0),
            "28": max(collected - deductible, 0),
        },
    )


async def trial_balance(session: AsyncSession, year: int) -> TrialBalanceOut:
    """Every account the year's entries touch: its debits, credits and balance."""
    rows = await repository.trial_balance(session, year)
    accounts = [
        TrialBalanceLine(
            account_number=number,
            account_label=label,
            debit_cents=debit,
            credit_cents=credit,
            balance_cents=debit - credit,
        )
        for number, label, debit, credit in rows
    ]
    return TrialBalanceOut(
        year=year,
        accounts=accounts,
        debit_cents=sum(a.debit_cents for a in accounts),
        credit_cents=sum(a.credit_cents for a in accounts),
    )
