"""Benchmark of the FEC export: a busy salon's year (30,000 tickets, 10,000 deposits paid
online, 1,000 of them refunded: about 172,000 lines) streamed to a file; the time, the rate
and the peak of Python memory while streaming (it stays flat: the rows come from a
server-side cursor in batches). Run with `make bench`."""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path
from tempfile import TemporaryDirectory

from _shared import configure, run_benchmark, throwaway_database

DB_NAME = configure("accounting")

from sqlalchemy import text  # noqa: E402

from app import registry  # noqa: E402
from app.accounting import fec  # noqa: E402
from app.core.db import unit_of_work  # noqa: E402

TICKETS = int(os.environ.get("FEC_BENCH_TICKETS", "30000"))
DEPOSITS = TICKETS // 3
REFUNDS = DEPOSITS // 10
YEAR = 2026

ENTRIES = """
WITH p AS (
    SELECT CAST(:journal AS text) AS journal, CAST(:year AS int) AS year,
        CAST(:offset AS int) AS offset_, CAST(:count AS int) AS count,
        CAST(:label AS text) AS label, CAST(:kind AS text) AS kind
)
INSERT INTO accounting_entries (id, journal_code, fiscal_year, number, entry_date, label,
    document_ref, document_date, source_kind, source_key, created_at)
SELECT gen_random_uuid(), p.journal, p.year, n + p.offset_,
    make_date(p.year, 1, 1) + ((n - 1) * 364 / p.count), p.label || n, p.label || n,
    make_date(p.year, 1, 1) + ((n - 1) * 364 / p.count), p.kind,
    p.kind || ':' || (n + p.offset_),
    make_date(p.year, 1, 1) + ((n - 1) * 364 / p.count) + time '19:00'
FROM p, generate_series(1, p.count) AS n
"""
LINES = """
INSERT INTO accounting_entry_lines (id, entry_id, position, account_key, account_number,
    account_label, label, debit_cents, credit_cents, vat_base_cents)
SELECT gen_random_uuid(), e.id, v.position, v.key, v.number, v.account_label, e.label,
    v.debit, v.credit, v.base
FROM accounting_entries e
CROSS JOIN (VALUES {values}) AS v(position, key, number, account_label, debit, credit, base)
WHERE e.source_kind = CAST(:kind AS text)
"""
TICKET = (
    "(1, 'sumup', '467100', 'SumUp', 6000, 0, NULL::bigint),"
    " (2, 'cash', '530000', 'Caisse', 3000, 0, NULL),"
    " (3, 'services_20', '706100', 'Prestations 20 %', 0, 5000, NULL),"
    " (4, 'goods_20', '707100', 'Marchandises 20 %', 0, 2500, NULL),"
    " (5, 'vat_20', '445711', 'TVA collectée 20 %', 0, 1500, -7500)"
)
DEPOSIT = (
    "(1, 'stripe', '467200', 'Stripe', 2700, 0, NULL::bigint),"
    " (2, 'deposits', '419100', 'Arrhes', 0, 2700, NULL)"
)
REFUND = (
    "(1, 'deposits', '419100', 'Arrhes', 2700, 0, NULL::bigint),"
    " (2, 'stripe', '467200', 'Stripe', 0, 2700, NULL)"
)


async def load() -> None:
    async with unit_of_work() as session:
        await session.execute(
            text(
                "INSERT INTO accounting_fiscal_years (year, start_date, end_date)"
                " VALUES (:year, make_date(:year, 1, 1), make_date(:year, 12, 31))"
            ),
            {"year": YEAR},
        )
        for journal, kind, label, count, offset, values in (
            ("VE", "ticket", "T-", TICKETS, 0, TICKET),
            ("ST", "payment", "P-", DEPOSITS, 0, DEPOSIT),
            ("ST", "refund", "R-", REFUNDS, DEPOSITS, REFUND),
        ):
            params = {"journal": journal, "kind": kind, "label": label, "year": YEAR}
            await session.execute(text(ENTRIES), params | {"count": count, "offset": offset})
            await session.execute(text(LINES.format(values=values)), {"kind": kind})


async def export(path: Path) -> float:
    started = time.perf_counter()
    with path.open("wb") as file:
        async for chunk in fec.stream(YEAR):
            file.write(chunk)
    return time.perf_counter() - started


async def main() -> None:
    async with throwaway_database(DB_NAME):
        registry.load_all()
        started = time.perf_counter()
        await load()
        entries = TICKETS + DEPOSITS + REFUNDS
        print(f"loaded {entries} entries in {time.perf_counter() - started:.1f} s")
        with TemporaryDirectory() as folder:
            path = Path(folder) / fec.file_name(YEAR)
            elapsed = await export(path)
            lines = path.read_bytes().count(b"\r\n") - 1
            size = path.stat().st_size
            tracemalloc.start()
            await export(path)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        print(f"FEC: {lines} lines, {size / 1e6:.1f} MB in {elapsed:.2f} s")
        print(f"  {lines / elapsed:,.0f} lines/s; Python memory peak {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    run_benchmark(main)
