"""Benchmark of the till's journal: verification speed over 200,000 signed records (with a
Z every 300 tickets), the Z closing of a day of 300 tickets, and one ticket's append. Run
with `make bench`."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
from _shared import configure, percentile, run_benchmark, throwaway_database

DB_NAME = configure("journal")


from app.core import clock  # noqa: E402
from app.core.db import unit_of_work  # noqa: E402
from app.journal import public as journal  # noqa: E402
from app.journal import signing  # noqa: E402
from app.journal.payloads import CLOSING_KINDS  # noqa: E402
from app.journal.totals import Accumulator  # noqa: E402

RECORDS = int(os.environ.get("JOURNAL_BENCH_RECORDS", "200000"))
PER_DAY = 300
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def ticket(number: str, at: datetime) -> journal.TicketPayload:
    """Three lines at two VAT rates, paid by card and cash with change."""
    lines = (
        journal.TicketLine(
            label="Soin visage",
            quantity=1,
            unit_price_cents=6000,
            total_excl_vat_cents=5000,
            vat_rate=Decimal(20),
        ),
        journal.TicketLine(
            label="Sérum 30 ml",
            quantity=2,
            unit_price_cents=1800,
            total_excl_vat_cents=3000,
            vat_rate=Decimal(20),
        ),
        journal.TicketLine(
            label="Tisane",
            quantity=1,
            unit_price_cents=1055,
            total_excl_vat_cents=1000,
            vat_rate=Decimal("5.5"),
        ),
    )
    return journal.TicketPayload(
        number=number,
        issued_at=at,
        till="Accueil",
        lines=lines,
        total_excl_vat_cents=9000,
        vat=(
            journal.VatAmount(rate=Decimal("5.5"), base_cents=1000, vat_cents=55),
            journal.VatAmount(rate=Decimal(20), base_cents=8000, vat_cents=1600),
        ),
        total_incl_vat_cents=10655,
        tenders=(
            journal.TenderAmount(method=journal.TenderMethod.card, amount_cents=8000),
            journal.TenderAmount(method=journal.TenderMethod.cash, amount_cents=3000),
        ),
        change_cents=345,
    )


def _closing(day: datetime, first: int, last: int, totals: Accumulator, perpetual: int) -> Any:
    return journal.ClosingPayload(
        level=journal.ClosingLevel.day,
        period=day.date().isoformat(),
        first_date=day.date(),
        last_date=day.date(),
        first_sequence=first,
        last_sequence=last,
        totals=totals.totals(),
        perpetual_total_cents=perpetual,
        closed_at=day + timedelta(hours=12),
    ).model_dump(mode="json")


def load_records() -> None:
    """200,000 records signed the real way (a Z closing after every 300 tickets), by COPY."""
    key_id = signing.current_key_id()
    template = ticket("T", START).model_dump(mode="json")
    previous, first, perpetual = signing.GENESIS, 1, 0
    day, accumulator = START, Accumulator()
    with psycopg.connect(os.environ["DATABASE_URL"]) as connection, connection.cursor() as cur:
        with cur.copy(
            "COPY journal_records (id, chain, sequence, kind, register_id, recorded_at,"
            " schema_version, key_id, payload, previous_signature, signature) FROM STDIN"
        ) as copy:
            for sequence in range(1, RECORDS + 1):
                at = day + timedelta(seconds=sequence - first)
                if sequence - first == PER_DAY:
                    kind = CLOSING_KINDS[journal.ClosingLevel.day]
                    payload = _closing(day, first, sequence - 1, accumulator, perpetual)
                else:
                    kind = "ticket"
                    payload = dict(template, number=f"T-{sequence}", issued_at=at.isoformat())
                    accumulator.add(payload)
                    perpetual += payload["total_incl_vat_cents"]
                fields = {
                    "chain": "sales",
                    "sequence": sequence,
                    "kind": kind,
                    "register_id": None,
                    "recorded_at": at,
                    "schema_version": 1,
                    "key_id": key_id,
                    "payload": payload,
                    "previous_signature": previous,
                }
                signature = signing.record_signature(fields)
                copy.write_row(
                    (
                        uuid.uuid4(),
                        "sales",
                        sequence,
                        kind,
                        None,
                        at,
                        1,
                        key_id,
                        json.dumps(payload),
                        previous,
                        signature,
                    )
                )
                previous = signature
                if kind != "ticket":
                    first, day, accumulator = sequence + 1, day + timedelta(days=1), Accumulator()
        head = signing.head_signature(key_id, "sales", RECORDS, previous)
        cur.execute(
            "INSERT INTO journal_heads VALUES ('sales', %s, %s, %s, %s, now())",
            (RECORDS, previous, key_id, head),
        )
        connection.commit()
        cur.execute("ANALYZE journal_records")


async def day_of_tickets(day: datetime) -> list[float]:
    """Append a day of 300 tickets one transaction each; returns each append's time (ms)."""
    times = []
    for n in range(PER_DAY):
        at = day + timedelta(seconds=n * 60)
        with clock.frozen_at(at):
            began = time.perf_counter()
            async with unit_of_work() as session:
                await journal.append(
                    session, journal.RecordKind.ticket, ticket(f"Z-{n}", at), register_id=None
                )
            times.append((time.perf_counter() - began) * 1000)
    return times


async def main() -> None:
    async with throwaway_database(DB_NAME):
        began = time.perf_counter()
        await asyncio.to_thread(load_records)
        print(f"signed and loaded {RECORDS} records in {time.perf_counter() - began:.1f} s")

        began = time.perf_counter()
        async with unit_of_work() as session:
            report = await journal.verify(session)
        elapsed = time.perf_counter() - began
        assert report.ok, report.issues[:5]
        print(
            f"verification of {report.records_checked} records ({len(report.closings)} Z):"
            f" {elapsed:.1f} s, {report.records_checked / elapsed:,.0f} records/s"
        )

        day = START + timedelta(days=RECORDS // (PER_DAY + 1) + 2)
        async with unit_of_work() as session:  # the loaded records' last, partial day
            await journal.close_day(session, (day - timedelta(days=2)).date())
        appends = await day_of_tickets(day)
        print(
            f"append a ticket (own transaction): p50 {statistics.median(appends):.2f} ms,"
            f" p95 {percentile(appends, 0.95):.2f} ms"
        )
        with clock.frozen_at(day + timedelta(hours=14)):
            began = time.perf_counter()
            async with unit_of_work() as session:
                refs = await journal.close_day(session, day.date())
            elapsed = (time.perf_counter() - began) * 1000
        print(f"Z closing of a day of {PER_DAY} tickets: {elapsed:.0f} ms ({len(refs)} closing)")


if __name__ == "__main__":
    run_benchmark(main)
