"""The sales report and the best sellers, on the real PostgreSQL, from tickets appended to the
journal: two Paris days (a ticket at 23:30 and one at 00:30 the next day), a credit ticket, a
line done by two practitioners, a training ticket and tickets just outside the range, which
must not count. Every figure is worked out by hand below."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from httpx import AsyncClient

from app.auth.models import Role
from app.journal.public import RecordKind, TenderMethod
from tests.builders import AuthHeaders
from tests.factories.core import paris
from tests.factories.practitioners import make_practitioner
from tests.reports.helpers import line, make, record, ticket
from tests.stock.helpers import make_product

CASH, CARD = TenderMethod.cash, TenderMethod.card
RANGE = {"date_from": "2026-12-01", "date_to": "2026-12-02"}


@dataclass
class Salon:
    manager: dict[str, str]
    facial: str  # in « Soins du visage »
    brows: str  # in no category
    shampoo: str
    camille: str
    lea: str
    category: str


async def _catalog(client: AsyncClient, manager: dict[str, str]) -> Salon:
    category = await make(
        client, manager, "/api/v1/service-categories", {"name": "Soins du visage"}
    )
    service = {"duration_minutes": 60, "vat_rate": "20.00"}
    facial = await make(
        client,
        manager,
        "/api/v1/services",
        service | {"name": "Soin éclat", "price_cents": 6001, "category_id": category},
    )
    brows = await make(
        client, manager, "/api/v1/services", service | {"name": "Sourcils", "price_cents": 1500}
    )
    shampoo = str(await make_product("Shampoing doux", price_cents=1800))
    camille = str(await make_practitioner("Camille", []))
    lea = str(await make_practitioner("Léa", []))
    return Salon(manager, facial, brows, shampoo, camille, lea, category)


async def _sales(salon: Salon) -> None:
    facial = line(
        "Soin éclat",
        1,
        6001,
        kind="service",
        item_id=salon.facial,
        practitioners=((salon.camille, "Camille"), (salon.lea, "Léa")),
    )
    shampoo = line("Shampoing doux", 2, 1800, kind="product", item_id=salon.shampoo)
    book = line("Livre « Rituels »", 1, 1055, rate="5.5")
    brows = line(
        "Sourcils",
        1,
        1500,
        kind="service",
        item_id=salon.brows,
        practitioners=((salon.camille, "Camille"),),
    )
    one_shampoo = line("Shampoing doux", 1, 1800, kind="product", item_id=salon.shampoo)
    returned = line("Shampoing doux", -1, 1800, kind="product", item_id=salon.shampoo)

    # 10 656 in cash (110,00 given, 3,44 back): 9 001 without VAT, 1 600 + 55 of VAT.
    await record(
        ticket(
            "T-1",
            paris(2026, 12, 1, 10),
            (facial, shampoo, book),
            ((CASH, 11000),),
            change_cents=344,
        )
    )
    await record(ticket("T-2", paris(2026, 12, 1, 23, 30), (brows,), ((CARD, 1500),)))
    await record(ticket("T-3", paris(2026, 12, 2, 0, 30), (one_shampoo,), ((CARD, 1800),)))
    await record(
        ticket("A-1", paris(2026, 12, 2, 10), (returned,), ((CASH, -1800),), corrects="T-1"),
        RecordKind.credit_ticket,
    )
    # Never counted: a training ticket in the range, real tickets just outside it.
    big = line("Soin éclat", 10, 6001, kind="service", item_id=salon.facial)
    await record(ticket("F-1", paris(2026, 12, 1, 12), (big,), ((CARD, 60010),)), training=True)
    await record(ticket("T-0", paris(2026, 11, 30, 23, 59), (big,), ((CARD, 60010),)))
    await record(ticket("T-4", paris(2026, 12, 3, 0, 10), (big,), ((CARD, 60010),)))


@pytest.fixture
async def salon(client: AsyncClient, auth_headers: AuthHeaders) -> Salon:
    made = await _catalog(client, await auth_headers(Role.manager))
    await _sales(made)
    return made


def row(
    key: str, label: str, counts: tuple[int, int], quantity: int | None, excl: int | None, incl: int
) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "ticket_count": counts[0],
        "correction_count": counts[1],
        "quantity": quantity,
        "total_excl_vat_cents": excl,
        "vat_cents": None if excl is None else incl - excl,
        "total_incl_vat_cents": incl,
    }


async def report(client: AsyncClient, salon: Salon, group_by: str) -> dict[str, Any]:
    answer = await client.get(
        "/api/v1/reports/sales", params=RANGE | {"group_by": group_by}, headers=salon.manager
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert (body["date_from"], body["date_to"], body["group_by"]) == (
        "2026-12-01",
        "2026-12-02",
        group_by,
    )
    return body


TICKET_TOTALS = row("total", "Total", (3, 1), None, 10251, 12156)
LINE_TOTALS = row("total", "Total", (3, 1), 5, 10251, 12156)


async def test_sales_per_local_day_put_the_half_past_midnight_ticket_on_the_next_day(
    client: AsyncClient, salon: Salon
) -> None:
    body = await report(client, salon, "day")

    assert body["rows"] == [
        row("2026-12-01", "01/12/2026", (2, 0), None, 9001 + 1250, 10656 + 1500),
        row("2026-12-02", "02/12/2026", (1, 1), None, 0, 0),  # a shampoo sold, one returned
    ]
    assert body["totals"] == TICKET_TOTALS


async def test_sales_per_tender_count_cash_net_of_the_change_and_of_the_refund(
    client: AsyncClient, salon: Salon
) -> None:
    body = await report(client, salon, "tender")

    assert body["rows"] == [
        row("cash", "Espèces", (1, 1), None, None, 11000 - 344 - 1800),
        row("card", "Carte bancaire", (2, 0), None, None, 1500 + 1800),
    ]
    assert body["totals"] == TICKET_TOTALS


async def test_sales_per_vat_rate_read_each_tickets_vat(client: AsyncClient, salon: Salon) -> None:
    body = await report(client, salon, "vat_rate")

    assert body["rows"] == [
        row("5.50", "TVA 5,5\u00a0%", (1, 0), None, 1000, 1055),
        row("20.00", "TVA 20\u00a0%", (3, 1), None, 5001 + 3000 + 1250 + 1500 - 1500, 11101),
    ]
    assert body["totals"] == TICKET_TOTALS


async def test_sales_per_category_put_products_and_lines_of_no_item_apart(
    client: AsyncClient, salon: Salon
) -> None:
    body = await report(client, salon, "category")

    assert body["rows"] == [
        row(salon.category, "Soins du visage", (1, 0), 1, 5001, 6001),
        row("products", "Produits", (2, 1), 2 + 1 - 1, 3000, 3600),
        row("uncategorised", "Prestations sans catégorie", (1, 0), 1, 1250, 1500),
        row("other", "Autres", (1, 0), 1, 1000, 1055),
    ]
    assert body["totals"] == LINE_TOTALS


async def test_sales_per_item_name_each_from_the_catalog(client: AsyncClient, salon: Salon) -> None:
    body = await report(client, salon, "product")

    assert body["rows"] == [
        row(salon.facial, "Soin éclat", (1, 0), 1, 5001, 6001),
        row(salon.shampoo, "Shampoing doux", (2, 1), 2, 3000, 3600),
        row(salon.brows, "Sourcils", (1, 0), 1, 1250, 1500),
        row("other", "Autres", (1, 0), 1, 1000, 1055),
    ]
    assert body["totals"] == LINE_TOTALS


async def test_sales_per_practitioner_share_a_line_evenly_the_odd_cent_to_the_first(
    client: AsyncClient, salon: Salon
) -> None:
    body = await report(client, salon, "practitioner")

    # The facial, 60,01 € (50,01 € without VAT), is Camille's and Léa's: 30,01 € and 30,00 €.
    assert body["rows"] == [
        row("none", "Sans praticienne", (2, 1), 3, 3000 + 1000 + 1500 - 1500, 3600 + 1055),
        row(salon.camille, "Camille", (2, 0), 2, 2501 + 1250, 3001 + 1500),
        row(salon.lea, "Léa", (1, 0), 1, 2500, 3000),
    ]
    assert sum(r["total_incl_vat_cents"] for r in body["rows"]) == 12156
    assert body["totals"] == LINE_TOTALS  # the shared line's quantity counts once here


async def test_best_sellers_rank_by_quantity_then_revenue_net_of_returns(
    client: AsyncClient, salon: Salon
) -> None:
    services = await client.get(
        "/api/v1/reports/best-sellers", params=RANGE | {"kind": "service"}, headers=salon.manager
    )
    first = await client.get(
        "/api/v1/reports/best-sellers",
        params=RANGE | {"kind": "service", "limit": 1},
        headers=salon.manager,
    )
    products = await client.get(
        "/api/v1/reports/best-sellers", params=RANGE | {"kind": "product"}, headers=salon.manager
    )

    assert services.status_code == first.status_code == products.status_code == 200
    assert services.json()["rows"] == [
        row(salon.facial, "Soin éclat", (1, 0), 1, 5001, 6001),
        row(salon.brows, "Sourcils", (1, 0), 1, 1250, 1500),
    ]
    assert [r["key"] for r in first.json()["rows"]] == [salon.facial]
    assert products.json()["kind"] == "product"
    assert products.json()["rows"] == [row(salon.shampoo, "Shampoing doux", (2, 1), 2, 3000, 3600)]


async def test_an_empty_range_answers_zero_totals(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.owner)
    answer = await client.get(
        "/api/v1/reports/sales",
        params={"date_from": "2027-01-01", "date_to": "2027-01-31", "group_by": "category"},
        headers=manager,
    )

    assert answer.status_code == 200, answer.text
    assert answer.json()["rows"] == []
    assert answer.json()["totals"] == row("total", "Total", (0, 0), 0, 0, 0)


async def test_a_cancelled_ticket_nets_to_nothing_but_is_counted_as_corrected(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    sold = line("Soin éclat", 1, 6000, kind="service")
    voided = line("Soin éclat", -1, 6000, kind="service")
    await record(ticket("T-9", paris(2027, 2, 1, 10), (sold,), ((CARD, 6000),)))
    await record(
        ticket("C-9", paris(2027, 2, 1, 10, 5), (voided,), ((CARD, -6000),), corrects="T-9"),
        RecordKind.cancellation,
    )

    answer = await client.get(
        "/api/v1/reports/sales",
        params={"date_from": "2027-02-01", "date_to": "2027-02-01", "group_by": "tender"},
        headers=manager,
    )

    assert answer.status_code == 200, answer.text
    assert answer.json()["rows"] == [row("card", "Carte bancaire", (1, 1), None, None, 0)]
    assert answer.json()["totals"] == row("total", "Total", (1, 1), None, 0, 0)
