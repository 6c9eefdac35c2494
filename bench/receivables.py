"""Benchmark of the receivables report: a salon with many business clients (300 companies,
10 invoices sold on account each: 3,000 invoices, half of them partly paid by transfer);
the time of `GET /api/v1/accounting/receivables` (its service, four queries whatever the
number of invoices) for a date, median and p95 over a few runs. Run with `make bench` or
`.venv/bin/python bench/receivables.py`."""

from __future__ import annotations

import os
import time
from datetime import date

from _shared import configure, percentile, run_benchmark, throwaway_database

DB_NAME = configure("receivables")

from sqlalchemy import text  # noqa: E402

from app import registry  # noqa: E402
from app.accounting.receivables import receivables  # noqa: E402
from app.core.db import unit_of_work  # noqa: E402
from app.core.money import euros  # noqa: E402

COMPANIES = int(os.environ.get("RECEIVABLES_BENCH_COMPANIES", "300"))
PER_COMPANY = 10
RUNS = 15

CLIENTS = """
INSERT INTO clients (id, first_name, last_name, company_name, created_at, updated_at)
SELECT gen_random_uuid(), 'Compta', 'Client ' || n, 'Société ' || n, now(), now()
FROM generate_series(1, :companies) AS n
"""
INVOICES = """
INSERT INTO invoices (id, kind, number, series, sequence, issued_at, source_kind, source_id,
    client_id, buyer_name, buyer_company, category, currency, total_excl_vat_cents,
    total_vat_cents, total_incl_vat_cents, paid_cents, on_account_cents, due_date)
SELECT gen_random_uuid(), 'invoice', 'F2027-' || lpad(s::text, 6, '0'), 'invoice-2027', s,
    timestamptz '2027-01-02 10:00+01' + (s % 300) * interval '1 day', 'ticket',
    gen_random_uuid(), c.id, c.first_name || ' ' || c.last_name, c.company_name, 'services',
    'EUR', 10000, 2000, 12000, 0, 12000,
    date '2027-02-01' + CAST(s % 300 AS int)
FROM (
    SELECT c.*, row_number() OVER (ORDER BY c.id) AS r FROM clients c
) c
CROSS JOIN generate_series(1, :per) AS k
CROSS JOIN LATERAL (SELECT (c.r - 1) * :per + k AS s) AS seq
"""
PAYMENTS = """
WITH chosen AS (
    SELECT i.id AS invoice_id, i.client_id, gen_random_uuid() AS payment_id,
        i.due_date - 5 AS received_on
    FROM invoices i WHERE i.sequence % 2 = 0
), paid AS (
    INSERT INTO payments (id, method, purpose, status, amount_cents, currency, subject_kind,
        subject_id, client_id, provider, created_at, updated_at)
    SELECT payment_id, 'bank_transfer', 'balance', 'succeeded', 5000, 'EUR', 'invoice',
        invoice_id, client_id, 'none', now(), now()
    FROM chosen
    RETURNING id
)
INSERT INTO invoice_settlements (payment_id, invoice_id, method, amount_cents, received_on,
    created_at)
SELECT payment_id, invoice_id, 'bank_transfer', 5000, received_on, now() FROM chosen
"""


async def main() -> None:
    registry.load_all()
    async with throwaway_database(DB_NAME):
        async with unit_of_work() as session:
            await session.execute(text(CLIENTS), {"companies": COMPANIES})
            await session.execute(text(INVOICES), {"per": PER_COMPANY})
            await session.execute(text(PAYMENTS))
        samples = []
        for _ in range(RUNS):
            async with unit_of_work() as session:
                started = time.perf_counter()
                found = await receivables(session, date(2027, 12, 31))
                samples.append((time.perf_counter() - started) * 1000)
        invoices = sum(len(c.invoices) for c in found.clients)
        print(f"receivables report: {len(found.clients)} clients, {invoices} open invoices")
        print(f"  outstanding {euros(found.outstanding_cents)}")
        print(f"  median {percentile(samples, 0.5):.1f} ms, p95 {percentile(samples, 0.95):.1f} ms")


if __name__ == "__main__":
    run_benchmark(main)
