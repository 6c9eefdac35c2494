"""Benchmark of provider webhooks: how long a signed Stripe event takes to verify, store and
apply, how cheap a replay is, and a burst where every event arrives three times at once
(it must still be applied exactly once).

Loads 20,000 open Stripe payments into a throwaway database, then posts signed
`payment_intent.succeeded` events through the ASGI app (no network). Run with `make bench`.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
import uuid
from datetime import UTC, datetime

import psycopg
from _shared import configure, percentile, run_benchmark, throwaway_database

SECRET = "whsec_bench"
DB_NAME = configure(
    "webhooks", DATABASE_POOL_SIZE="20", DATABASE_MAX_OVERFLOW="20", STRIPE_WEBHOOK_SECRET=SECRET
)

from httpx import ASGITransport, AsyncClient  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app.core.db import get_sessionmaker  # noqa: E402
from app.integrations.stripe.webhooks import stripe_signature  # noqa: E402
from app.main import app  # noqa: E402

PAYMENTS = 20_000
SEQUENTIAL = 300
BURST = 300
COPIES = 3
CONCURRENCY = 30


def load_payments() -> None:
    now = datetime.now(UTC)
    with psycopg.connect(os.environ["DATABASE_URL"]) as connection, connection.cursor() as cur:
        with cur.copy(
            "COPY payments (id, method, purpose, status, amount_cents, tip_cents, refunded_cents,"
            " currency, subject_kind, subject_id, provider, provider_ref, created_at, updated_at)"
            " FROM STDIN"
        ) as copy:
            for n in range(PAYMENTS):
                copy.write_row(
                    (
                        uuid.uuid4(),
                        "stripe",
                        "full",
                        "requires_action",
                        2000 + n % 5000,
                        0,
                        0,
                        "EUR",
                        "order",
                        uuid.uuid4(),
                        "stripe",
                        f"pi_bench_{n}",
                        now,
                        now,
                    )
                )
        connection.commit()


def signed_event(n: int) -> tuple[bytes, dict[str, str]]:
    event = {
        "id": f"evt_bench_{n}",
        "object": "event",
        "api_version": "2025-04-30.basil",
        "type": "payment_intent.succeeded",
        "data": {
            "object": {
                "id": f"pi_bench_{n}",
                "object": "payment_intent",
                "status": "succeeded",
                "amount": 2000 + n % 5000,
                "latest_charge": f"ch_bench_{n}",
                "last_payment_error": None,
            }
        },
    }
    body = json.dumps(event).encode()
    at = int(time.time())
    header = f"t={at},v1={stripe_signature(SECRET, body=body, timestamp=at)}"
    return body, {"Stripe-Signature": header, "Content-Type": "application/json"}


async def main() -> None:
    async with throwaway_database(DB_NAME):
        await asyncio.to_thread(load_payments)
        print(f"loaded {PAYMENTS} open payments")
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://bench") as http:
            round_trips = []
            for _ in range(100):
                async with get_sessionmaker()() as session:
                    t = time.perf_counter()
                    await session.execute(text("SELECT 1"))
                    round_trips.append((time.perf_counter() - t) * 1000)
            base = statistics.median(round_trips)
            print(f"SELECT 1 round trip: p50 {base:.2f} ms")

            fresh, replays = [], []
            for n in range(SEQUENTIAL):
                body, headers = signed_event(n)
                t = time.perf_counter()
                first = await http.post("/api/v1/webhooks/stripe", content=body, headers=headers)
                fresh.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                again = await http.post("/api/v1/webhooks/stripe", content=body, headers=headers)
                replays.append((time.perf_counter() - t) * 1000)
                assert first.json()["outcome"] == "applied", first.text
                assert again.json()["outcome"] == "duplicate", again.text
            print(
                f"new event applied : p50 {statistics.median(fresh):5.1f} ms, "
                f"p95 {percentile(fresh, 0.95):5.1f} ms "
                f"({statistics.median(fresh) / base:.0f}x SELECT 1)"
            )
            print(
                f"replayed event    : p50 {statistics.median(replays):5.1f} ms, "
                f"p95 {percentile(replays, 0.95):5.1f} ms"
            )

            gate = asyncio.Semaphore(CONCURRENCY)
            deliveries = [signed_event(SEQUENTIAL + n) for n in range(BURST)] * COPIES

            async def deliver(body: bytes, headers: dict[str, str]) -> str:
                async with gate:
                    answer = await http.post(
                        "/api/v1/webhooks/stripe", content=body, headers=headers
                    )
                    return str(answer.json()["outcome"])

            t = time.perf_counter()
            outcomes = await asyncio.gather(*(deliver(b, h) for b, h in deliveries))
            elapsed = time.perf_counter() - t
            applied = outcomes.count("applied")
            print(
                f"burst: {len(deliveries)} deliveries of {BURST} events ({COPIES} copies each, "
                f"{CONCURRENCY} at a time) in {elapsed:.2f} s = {len(deliveries) / elapsed:.0f}/s; "
                f"applied {applied}, duplicates {outcomes.count('duplicate')}"
            )
            assert applied == BURST, "an event was applied twice or not at all"


if __name__ == "__main__":
    run_benchmark(main)
