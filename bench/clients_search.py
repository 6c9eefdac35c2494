"""Benchmark of the staff client search on 100,000 clients.

Loads 100,000 clients with French names, e-mails and mobile numbers into a throwaway
database (COPY), then prints p50/p95 of the search for typical queries: part of a name,
a name without its accents, a typo, part of a phone number, an e-mail prefix.
Run with `make bench`.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
import uuid
from datetime import UTC, datetime

import psycopg
from _shared import configure, percentile, run_benchmark, throwaway_database

DB_NAME = configure("clients")


from app.clients import service  # noqa: E402
from app.core.db import database_url, get_sessionmaker  # noqa: E402

CLIENTS = 100_000
RUNS = 40
FIRST = [
    "Hélène",
    "Inès",
    "Chloé",
    "Léa",
    "Manon",
    "Camille",
    "Sarah",
    "Emma",
    "Jade",
    "Louise",
    "Zoé",
    "Anaïs",
    "Mélanie",
    "Océane",
    "Clémence",
    "Noémie",
    "Gaëlle",
    "Maëlys",
    "Agathe",
    "Juliette",
    "Élodie",
    "Céline",
    "Aurélie",
    "Margaux",
    "Pauline",
    "Amélie",
    "Lucie",
]
LAST = [
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefèvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefebvre",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
]
QUERIES = [
    "helene dupont",
    "dupon",
    "Hélène",
    "Lefevre",
    "Gaelle Fontane",
    "+33 6 12 34",
    "06 98 7",
    "agathe.roux",
    "zz-nobody",
]


def load_clients() -> None:
    rng = random.Random(5)
    now = datetime.now(UTC)
    with psycopg.connect(database_url().set(drivername="postgresql").render_as_string(False)) as c:
        with c.cursor().copy(
            "COPY clients (id, first_name, last_name, email, phone, tags, created_at, updated_at)"
            " FROM STDIN"
        ) as copy:
            for n in range(CLIENTS):
                first, last = rng.choice(FIRST), rng.choice(LAST)
                email = f"{first}.{last}.{n}@example.fr".lower()
                phone = f"+336{rng.randrange(10**7, 10**8)}"
                copy.write_row((uuid.uuid4(), first, last, email, phone, "{}", now, now))
        c.execute("ANALYZE clients")


async def main() -> None:
    async with throwaway_database(DB_NAME):
        began = time.perf_counter()
        await asyncio.to_thread(load_clients)
        print(f"loaded {CLIENTS} clients in {time.perf_counter() - began:.1f} s")
        all_times: list[float] = []
        for query in QUERIES:
            samples, hits = [], 0
            for _ in range(RUNS):
                async with get_sessionmaker()() as session:
                    t = time.perf_counter()
                    found = await service.search(session, query, limit=20)
                    samples.append((time.perf_counter() - t) * 1000)
                    hits = len(found)
            samples = samples[3:]
            all_times += samples
            print(
                f"search {query!r:20}: p50 {statistics.median(samples):6.1f} ms, "
                f"p95 {percentile(samples, 0.95):6.1f} ms, {hits} hits"
            )
        ordered = sorted(all_times)
        print(
            f"all queries: p50 {statistics.median(ordered):.1f} ms, "
            f"p95 {percentile(ordered, 0.95):.1f} ms"
        )


if __name__ == "__main__":
    run_benchmark(main)
