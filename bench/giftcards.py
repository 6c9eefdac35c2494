"""Benchmark of gift cards: rendering a card's PDF with its QR code (in the request of a
desk sale), and a balance check by code among 50,000 cards with their ledgers (the hash
lookup and the ledger sum). Run with `make bench`."""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
from sqlalchemy import make_url

ADMIN_URL = os.environ.get("TEST_PG_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
DB_NAME = f"salon_bench_cards_{secrets.token_hex(3)}"
os.environ.update(
    {
        "APP_ENV": "test",
        "APP_LOG_LEVEL": "ERROR",
        "DATABASE_URL": make_url(ADMIN_URL).set(database=DB_NAME).render_as_string(False),
        "SECURITY_SECRET_KEY": "bench-" + "x" * 40,
    }
)
os.environ.pop("REDIS_URL", None)

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402

from app.core.db import dispose_engine, get_sessionmaker  # noqa: E402
from app.giftcards import codes, service  # noqa: E402
from app.giftcards.pdf import CardFace, render_card  # noqa: E402

CARDS = 50_000
RUNS = 300


def load_cards() -> list[str]:
    """50,000 cards, each issued and spent once or twice; returns a sample of their codes."""
    now = datetime.now(UTC)
    sample: list[str] = []
    with psycopg.connect(os.environ["DATABASE_URL"]) as connection, connection.cursor() as cur:
        ids = []
        with cur.copy(
            "COPY gift_cards (id, code_hash, code_hint, code_sealed, status, initial_cents,"
            " currency, vat_treatment, buyer_name, recipient_name, deliver_on, expires_at,"
            " created_at) FROM STDIN"
        ) as copy:
            for n in range(CARDS):
                code = codes.new_code()
                if n % (CARDS // RUNS) == 0:
                    sample.append(code)
                card_id = uuid.uuid4()
                ids.append(card_id)
                copy.write_row(
                    (
                        card_id,
                        codes.code_hash(code),
                        code[-4:],
                        "x",
                        "active",
                        5000,
                        "EUR",
                        "single_purpose",
                        "Inès",
                        "Léa",
                        now.date(),
                        now + timedelta(days=365),
                        now,
                    )
                )
        with cur.copy(
            "COPY gift_card_entries (id, gift_card_id, kind, amount_cents, at) FROM STDIN"
        ) as copy:
            for n, card_id in enumerate(ids):
                copy.write_row((uuid.uuid4(), card_id, "issue", 5000, now))
                for _ in range(n % 3):
                    copy.write_row((uuid.uuid4(), card_id, "redeem", -1000, now))
        connection.commit()
        cur.execute("ANALYZE")
    return sample


def p95(samples: list[float]) -> float:
    return sorted(samples)[int(len(samples) * 0.95) - 1]


async def main() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{DB_NAME}"')
    try:
        config = Config("alembic.ini")
        config.attributes["configure_logger"] = False
        await asyncio.to_thread(command.upgrade, config, "head")
        sample = await asyncio.to_thread(load_cards)
        print(f"loaded {CARDS} cards and their ledgers")

        pdf_times = []
        for n in range(100):
            face = CardFace(
                code=codes.display(codes.new_code()),
                value="Soin anti-âge signature, Beauté des mains",
                recipient_name="Marie-Christine",
                buyer_name="Anne-Charlotte",
                message="Joyeux anniversaire ! " * (n % 5),
                expires_at=datetime.now(UTC) + timedelta(days=365),
            )
            began = time.perf_counter()
            pdf = render_card(face)
            pdf_times.append((time.perf_counter() - began) * 1000)
        print(
            f"PDF with QR code: p50 {statistics.median(pdf_times):.1f} ms, "
            f"p95 {p95(pdf_times):.1f} ms, {len(pdf) / 1024:.1f} KiB"
        )

        lookups = []
        for code in sample:
            async with get_sessionmaker()() as session:
                began = time.perf_counter()
                card = await service.find_by_code(session, code)
                left = await service.balance(session, card.id)
                lookups.append((time.perf_counter() - began) * 1000)
                assert left in {5000, 4000, 3000}
        print(
            f"balance by code among {CARDS}: p50 {statistics.median(lookups):.2f} ms, "
            f"p95 {p95(lookups):.2f} ms"
        )
        await dispose_engine()
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    asyncio.run(main())
