"""Benchmark of the loyalty programme: a member's summary (`GET /api/v1/me/loyalty`'s work:
her row lock, due expiries, open grants, rewards, recent entries) among 100,000 members with
a three-year ledger (a visit every quarter earning points, a reward spent each year), and
the nightly tier task over all of them. Run with `make bench` (or
`.venv/bin/python bench/loyalty.py`; MEMBERS=20000 for a quicker run)."""

from __future__ import annotations

import os
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
from _shared import configure, percentile, run_benchmark, throwaway_database

DB_NAME = configure("loyalty")

from app.core.db import get_sessionmaker  # noqa: E402
from app.loyalty import service, tiers  # noqa: E402

MEMBERS = int(os.environ.get("MEMBERS", "100000"))
RUNS = 300


def load(now: datetime) -> list[uuid.UUID]:
    """Members with 12 earnings over three years (one per quarter) and 3 spends with their
    allocations; returns a sample of client ids."""
    rng = random.Random(7)
    clients = [uuid.uuid4() for _ in range(MEMBERS)]
    with psycopg.connect(os.environ["DATABASE_URL"]) as connection, connection.cursor() as cur:
        with cur.copy(
            "COPY clients (id, first_name, last_name, created_at, updated_at) FROM STDIN"
        ) as copy:
            for client_id in clients:
                copy.write_row((client_id, "Inès", "Martin", now, now))
        with cur.copy(
            "COPY loyalty_members (client_id, card_version, created_at, updated_at) FROM STDIN"
        ) as copy:
            for client_id in clients:
                copy.write_row((client_id, 1, now, now))
        allocations = []
        with cur.copy(
            "COPY loyalty_entries (id, client_id, kind, points, expires_at, source_key,"
            " source_kind, base_cents, visit, at) FROM STDIN"
        ) as copy:
            for client_id in clients:
                grants = []
                for quarter in range(12):
                    at = now - timedelta(days=1095 - quarter * 91 - rng.randint(0, 30))
                    points = rng.randint(40, 150)
                    entry_id = uuid.uuid4()
                    grants.append((entry_id, points))
                    copy.write_row(
                        (
                            entry_id,
                            client_id,
                            "earned",
                            points,
                            at + timedelta(days=365),
                            f"ticket:{entry_id}",
                            "ticket",
                            points * 100,
                            True,
                            at,
                        )
                    )
                for year in range(3):
                    grant_id, points = grants[year * 4]
                    spend_id = uuid.uuid4()
                    at = now - timedelta(days=1000 - year * 365)
                    copy.write_row(
                        (
                            spend_id,
                            client_id,
                            "spent",
                            -points,
                            None,
                            f"redeemed:{spend_id}",
                            "reward",
                            0,
                            False,
                            at,
                        )
                    )
                    allocations.append((uuid.uuid4(), grant_id, spend_id, points))
        with cur.copy(
            "COPY loyalty_allocations (id, grant_id, debit_id, points) FROM STDIN"
        ) as copy:
            for row in allocations:
                copy.write_row(row)
        connection.commit()
        cur.execute("ANALYZE")
    return rng.sample(clients, RUNS)


async def main() -> None:
    now = datetime.now(UTC)
    async with throwaway_database(DB_NAME):
        started = time.perf_counter()
        sample = load(now)
        print(
            f"loaded {MEMBERS} members, {MEMBERS * 15} entries in "
            f"{time.perf_counter() - started:.1f} s"
        )
        sessions = get_sessionmaker()
        from sqlalchemy import text

        baseline = []
        for client_id in sample:
            async with sessions() as session, session.begin():
                began = time.perf_counter()
                await session.execute(
                    text("SELECT * FROM loyalty_members WHERE client_id = :c FOR UPDATE"),
                    {"c": client_id},
                )
                baseline.append((time.perf_counter() - began) * 1000)
        print(
            f"baseline, one locked primary-key read in a transaction: p50"
            f" {statistics.median(baseline):.2f} ms (quote the summary as a ratio to it)"
        )
        timings = []
        for client_id in sample:
            async with sessions() as session, session.begin():
                began = time.perf_counter()
                await service.member_summary(session, client_id)
                timings.append((time.perf_counter() - began) * 1000)
        print(
            f"member summary among {MEMBERS} members ({RUNS} runs, the first ones write the"
            f" expiries due): p50 {statistics.median(timings):.2f} ms,"
            f" p95 {percentile(timings, 0.95):.2f} ms"
        )
        again = []
        for client_id in sample:
            async with sessions() as session, session.begin():
                began = time.perf_counter()
                await service.member_summary(session, client_id)
                again.append((time.perf_counter() - began) * 1000)
        print(
            f"member summary again (nothing due): p50 {statistics.median(again):.2f} ms,"
            f" p95 {percentile(again, 0.95):.2f} ms"
        )
        began = time.perf_counter()
        moved = await tiers.apply_tiers(now=now)
        elapsed = time.perf_counter() - began
        print(
            f"nightly tiers over {MEMBERS} members: {moved} moves in {elapsed:.1f} s"
            f" ({MEMBERS / elapsed:.0f} members/s)"
        )


if __name__ == "__main__":
    run_benchmark(main)
