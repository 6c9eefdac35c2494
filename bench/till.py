"""Benchmark of the till through its own use cases (app/sales): the checkout of a five-line
order (three products scanned by barcode, two walk-in services with their practitioner)
paid in cash then by transfer for the rest, each step in its own transaction as the API
runs it (create, tender, tender, complete); and the Z closing of a day of 300 tickets made
by `complete_order`. Run with `make bench`; figures in docs/performance.md ("Till")."""

from __future__ import annotations

import os
import secrets
import statistics
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID

from _shared import configure, percentile, run_benchmark, throwaway_database

DB_NAME = configure("till")


from sqlalchemy import select, text  # noqa: E402

from app import registry  # noqa: E402
from app.auth import staff  # noqa: E402
from app.auth.models import Role, UserKind  # noqa: E402
from app.auth.principal import Principal  # noqa: E402
from app.catalog.models import Product, Service  # noqa: E402
from app.core import clock  # noqa: E402
from app.core.db import get_sessionmaker, unit_of_work  # noqa: E402
from app.journal import public as journal  # noqa: E402
from app.practitioners.models import Practitioner  # noqa: E402
from app.sales import checkout, orders  # noqa: E402
from app.sales import service as tills  # noqa: E402
from app.sales.models import LineKind  # noqa: E402
from app.seed import load_demo_salon  # noqa: E402
from app.stock import purchasing  # noqa: E402
from app.stock.models import Supplier  # noqa: E402

RUNS = int(os.environ.get("TILL_BENCH_RUNS", "200"))
DAY_TICKETS = int(os.environ.get("TILL_BENCH_DAY_TICKETS", "300"))
# Two working days far from today, so the journal's days follow each other.
CHECKOUT_DAY = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
Z_DAY = CHECKOUT_DAY + timedelta(days=1)
PRODUCTS = ("SER-CRH-50", "SER-SER-30", "SER-BAU-10")
SERVICES = (("Manucure", "Léa"), ("Épilation sourcils", "Camille"))
CASH_CENTS = 5000  # the client hands a 50 € note, the rest by transfer


async def salon() -> tuple[Principal, UUID, list[orders.LineAsked]]:
    """The demo salon, an owner, the three products restocked for every run, the till open."""
    registry.load_all()
    await load_demo_salon()
    async with unit_of_work() as session:
        owner, _ = await staff.ensure_admin(
            session, email="owner@bench.example", password=secrets.token_urlsafe(12)
        )
        actor = Principal(owner.id, UserKind.staff, Role.owner, owner.email)
        products = {p.sku: p for p in await session.scalars(select(Product))}
        services = {s.name: s.id for s in await session.scalars(select(Service))}
        people = {p.display_name: p.id for p in await session.scalars(select(Practitioner))}
        supplier = await session.scalar(select(Supplier))
        assert supplier is not None
        packs = (RUNS + DAY_TICKETS) * 2
        lines = [purchasing.OrderLineIn(products[sku].id, packs, 100) for sku in PRODUCTS]
        made = await purchasing.create_order(
            session, supplier_id=supplier.id, lines=lines, reference="BENCH", note=None,
            actor_user_id=owner.id,
        )  # fmt: skip
        received = [purchasing.ReceivedLine(line.product_id, packs) for line in lines]
        await purchasing.receive(session, made.order, received, actor_user_id=owner.id)
        register = await tills.create_register(session, name="Accueil")
    basket = [
        orders.LineAsked(kind=LineKind.product, barcode=products[sku].barcode) for sku in PRODUCTS
    ] + [
        orders.LineAsked(
            kind=LineKind.service, service_id=services[name], practitioner_id=people[who]
        )
        for name, who in SERVICES
    ]
    return actor, register.id, basket


async def open_till(register_id: UUID, actor: Principal, at: datetime) -> None:
    with clock.frozen_at(at):
        async with unit_of_work() as session:
            register = await tills.get_register(session, register_id)
            await tills.open_register(session, register, float_cents=15000, actor_id=actor.user_id)


async def one_checkout(
    actor: Principal, register_id: UUID, basket: list[orders.LineAsked]
) -> dict[str, float]:
    """create, cash, transfer, complete: four transactions; each step's time (ms)."""
    asked = orders.OrderAsked(register_id, booking_id=None, client_id=None, lines=basket)
    marks = [time.perf_counter()]
    async with unit_of_work() as session:
        order = await orders.create_order(session, asked, actor)
    marks.append(time.perf_counter())
    for method, amount in (("cash", CASH_CENTS), ("bank_transfer", None)):
        async with unit_of_work() as session:
            paid = checkout.TenderAsked(method, amount)
            await checkout.add_tender(session, order.id, paid, actor)
        marks.append(time.perf_counter())
    async with unit_of_work() as session:
        done = await checkout.complete_order(session, order.id, actor)
    marks.append(time.perf_counter())
    assert done.ticket_number is not None
    steps = ("create", "cash", "bank_transfer", "complete")
    times = {name: (marks[n + 1] - marks[n]) * 1000 for n, name in enumerate(steps)}
    times["checkout"] = (marks[-1] - marks[0]) * 1000
    return times


async def checkouts(
    actor: Principal, register_id: UUID, basket: list[orders.LineAsked], count: int, day: datetime
) -> dict[str, list[float]]:
    """`count` checkouts a minute apart on `day` (the clock frozen at each)."""
    samples: dict[str, list[float]] = {}
    for n in range(count):
        with clock.frozen_at(day + timedelta(hours=1, seconds=30 * n)):
            for name, ms in (await one_checkout(actor, register_id, basket)).items():
                samples.setdefault(name, []).append(ms)
    return samples


async def select_one() -> float:
    maker = get_sessionmaker()
    times = []
    for _ in range(200):
        began = time.perf_counter()
        async with maker() as session:
            await session.execute(text("SELECT 1"))
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


async def timed_z(day: datetime) -> tuple[float, int]:
    with clock.frozen_at(day + timedelta(hours=13)):
        began = time.perf_counter()
        async with unit_of_work() as session:
            refs = await journal.close_day(session, day.date())
        return (time.perf_counter() - began) * 1000, len(refs)


async def main() -> None:
    async with throwaway_database(DB_NAME):
        actor, register_id, basket = await salon()
        baseline = await select_one()
        print(f"baseline: SELECT 1 round trip p50 {baseline:.2f} ms")

        await open_till(register_id, actor, CHECKOUT_DAY)
        samples = await checkouts(actor, register_id, basket, RUNS, CHECKOUT_DAY)
        total = samples["checkout"]
        print(
            f"checkout of a 5-line order, 2 tenders (4 transactions), {RUNS} runs:"
            f" p50 {statistics.median(total):.1f} ms, p95 {percentile(total, 0.95):.1f} ms,"
            f" {1000 * RUNS / sum(total):.0f} checkouts/s,"
            f" p50 = {statistics.median(total) / baseline:.0f}x SELECT 1"
        )
        for step in ("create", "cash", "bank_transfer", "complete"):
            part = samples[step]
            share = sum(part) / sum(total)
            print(
                f"  {step:>13}: p50 {statistics.median(part):.1f} ms,"
                f" p95 {percentile(part, 0.95):.1f} ms ({share:.0%} of the checkout)"
            )
        elapsed, _ = await timed_z(CHECKOUT_DAY)
        print(f"Z closing of the day of those {RUNS} tickets: {elapsed:.0f} ms")

        began = time.perf_counter()
        day = await checkouts(actor, register_id, basket, DAY_TICKETS, Z_DAY)
        made = time.perf_counter() - began
        print(
            f"a day of {DAY_TICKETS} tickets through complete_order: {made:.1f} s"
            f" (checkout p50 {statistics.median(day['checkout']):.1f} ms)"
        )
        elapsed, closings = await timed_z(Z_DAY)
        print(
            f"Z closing of a day of {DAY_TICKETS} tickets: {elapsed:.0f} ms ({closings} closing),"
            f" {elapsed / DAY_TICKETS:.2f} ms a ticket"
        )
        async with unit_of_work() as session:
            report = await journal.verify(session)
        assert report.ok, report.issues[:5]


if __name__ == "__main__":
    run_benchmark(main)
