"""Benchmark of message delivery: 5,000 queued messages drained by one worker, then by four
workers at once (each message must go exactly once), with the console sender so the figures
are the database's work, not a provider's latency. Run with `make bench`."""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import time
import uuid
from datetime import UTC, datetime

import psycopg
from _shared import configure, run_benchmark, throwaway_database

DB_NAME = configure("messages", DATABASE_POOL_SIZE="10")

from sqlalchemy import text  # noqa: E402

from app.core.db import get_sessionmaker  # noqa: E402
from app.integrations.console import console  # noqa: E402
from app.notifications.delivery import deliver_due  # noqa: E402

MESSAGES = 5_000


def load_messages() -> None:
    now = datetime.now(UTC)
    with psycopg.connect(os.environ["DATABASE_URL"]) as connection, connection.cursor() as cur:
        with cur.copy(
            "COPY messages (id, channel, kind, template, recipient, subject, body_text, status,"
            " attempts, next_attempt_at, created_at) FROM STDIN"
        ) as copy:
            for n in range(MESSAGES):
                sms = n % 2 == 0
                copy.write_row(
                    (
                        uuid.uuid4(),
                        "sms" if sms else "email",
                        "service",
                        "custom",
                        f"+336{n:08d}" if sms else f"client{n}@example.fr",
                        None if sms else "Votre rendez-vous",
                        "Bonjour, à demain 9 h 00.",
                        "queued",
                        0,
                        now,
                        now,
                    )
                )
        connection.commit()


async def drain(workers: int) -> float:
    async def worker() -> None:
        while await deliver_due(batch_size=50):
            pass

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return time.perf_counter() - began


async def reset() -> None:
    async with get_sessionmaker()() as session:
        await session.execute(text("UPDATE messages SET status = 'queued', attempts = 0"))
        await session.commit()
    console.clear()


async def main() -> None:
    logging.getLogger("app.console").setLevel(logging.WARNING)
    async with throwaway_database(DB_NAME):
        await asyncio.to_thread(load_messages)
        for workers in (1, 4):
            runs = []
            for _ in range(2):
                await reset()
                runs.append(await drain(workers))
                sent = len(console.emails) + len(console.sms)
                assert sent == MESSAGES, f"{sent} sends for {MESSAGES} messages"
            best = min(runs)
            print(
                f"{workers} worker(s): {MESSAGES} messages in {statistics.median(runs):.2f} s "
                f"(best {best:.2f} s) = {MESSAGES / best:.0f} messages/s, each sent once"
            )


if __name__ == "__main__":
    run_benchmark(main)
