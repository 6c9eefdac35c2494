"""Benchmark of gift cards: rendering a card's PDF with its QR code (in the request of a
desk sale), and a balance check by code among 50,000 cards with their ledgers (the hash
lookup and the ledger sum). Run with `make bench`."""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
from _shared import configure, percentile, run_benchmark, throwaway_database

DB_NAME = configure("cards")


from app.core.db import get_sessionmaker  # noqa: E402
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


async def main() -> None:
    async with throwaway_database(DB_NAME):
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
            f"p95 {percentile(pdf_times, 0.95):.1f} ms, {len(pdf) / 1024:.1f} KiB"
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
            f"p95 {percentile(lookups, 0.95):.2f} ms"
        )


if __name__ == "__main__":
    run_benchmark(main)
