"""The stock movements and cash differences reports on the real PostgreSQL: movements made
through the stock API and till sessions opened and closed through the till's, at pinned
instants on two Paris days, with one just after the range (00:30 in Paris, still the day
before in UTC) that must not count."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from tests.builders import AuthHeaders
from tests.factories.core import paris
from tests.sales.helpers import append_ticket, make_register, two_rate_ticket
from tests.stock.helpers import deliver, desk, make_product

RANGE = {"date_from": "2026-12-01", "date_to": "2026-12-02"}


def movement(product: UUID, name: str, cause: str, label: str, *figures: int) -> dict[str, Any]:
    movements, quantity, value = figures
    return {
        "product_id": str(product),
        "product": name,
        "unit": "piece",
        "cause": cause,
        "cause_label": label,
        "movements": movements,
        "quantity": quantity,
        "value_cents": value,
    }


async def test_stock_movements_add_up_per_product_and_cause_over_the_local_days(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    cream, serum = await make_product("Crème riche"), await make_product("Sérum")
    manager: dict[str, str] = {}
    front: dict[str, str] = {}
    steps: list[tuple[datetime, Any]] = [
        (paris(2026, 12, 1, 10), lambda: deliver(client, manager, cream, 10, 900)),
        (paris(2026, 12, 1, 10), lambda: deliver(client, manager, serum, 2, 1500)),
        (paris(2026, 12, 1, 15), lambda: desk(client, front, "sale", cream, 2)),
        (paris(2026, 12, 1, 16), lambda: desk(client, front, "sale", cream, 1)),
        (paris(2026, 12, 1, 17), lambda: desk(client, front, "treatment", serum, 1)),
        (paris(2026, 12, 2, 11), lambda: desk(client, front, "return", cream, 1)),
        (paris(2026, 12, 2, 11), lambda: desk(client, front, "breakage", cream, 1)),
        (
            paris(2026, 12, 2, 23, 30),
            lambda: client.post(
                "/api/v1/stock/adjustments",
                json={"product_id": str(cream), "quantity": -1, "reason": "Testeur"},
                headers=manager,
            ),
        ),
        (paris(2026, 12, 3, 0, 30), lambda: desk(client, front, "sale", cream, 1)),  # after
    ]
    for at, step in steps:
        clock.pin(at)  # tokens are checked on the pinned clock: a new login at each step
        manager, front = await auth_headers(Role.manager), await auth_headers(Role.receptionist)
        done = await step()
        assert done is None or done.status_code == 201, done.text

    answer = await client.get("/api/v1/reports/stock-movements", params=RANGE, headers=manager)

    assert answer.status_code == 200, answer.text
    assert answer.json()["rows"] == [
        movement(cream, "Crème riche", "sale", "Vente", 2, -3, -2700),
        movement(cream, "Crème riche", "return", "Retour client", 1, 1, 900),
        movement(cream, "Crème riche", "delivery", "Livraison", 1, 10, 9000),
        movement(cream, "Crème riche", "breakage", "Casse ou perte", 1, -1, -900),
        movement(cream, "Crème riche", "adjustment", "Ajustement", 1, -1, -900),
        movement(serum, "Sérum", "delivery", "Livraison", 1, 2, 3000),
        movement(serum, "Sérum", "treatment", "Utilisation en soin", 1, -1, -1500),
    ]
    assert answer.json()["value_cents"] == -2700 + 900 + 9000 - 900 - 900 + 3000 - 1500


async def _session(
    client: AsyncClient,
    auth_headers: AuthHeaders,
    register: str,
    span: tuple[datetime, datetime],
    float_cents: int,
    counted: list[dict[str, int]],
) -> None:
    base = f"/api/v1/sales/registers/{register}"
    clock.pin(span[0])
    desk_headers = await auth_headers(Role.receptionist)
    opened = await client.post(
        f"{base}/open", json={"float_cents": float_cents}, headers=desk_headers
    )
    assert opened.status_code == 201, opened.text
    if float_cents == 15000:  # the morning's till sells a facial and two books in cash
        await append_ticket(two_rate_ticket("T-1", span[0]), register)
    clock.pin(span[1])
    desk_headers = await auth_headers(Role.receptionist)
    closed = await client.post(
        f"{base}/close", json={"denominations": counted}, headers=desk_headers
    )
    assert closed.status_code == 200, closed.text


async def test_cash_differences_list_each_session_closed_in_the_range_and_their_sum(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    clock.pin(paris(2026, 11, 30, 9))
    owner = await auth_headers(Role.owner)
    desk_till = await make_register(client, owner, "Accueil")
    upstairs = await make_register(client, owner, "Étage")
    notes = [{"value_cents": 10000, "count": 2}, {"value_cents": 2000, "count": 1}]
    await _session(
        client,
        auth_headers,
        desk_till,
        (paris(2026, 12, 1, 9), paris(2026, 12, 1, 19)),
        15000,
        [*notes, {"value_cents": 1000, "count": 1}],  # 230,00 € for 231,10 € expected
    )
    await _session(
        client,
        auth_headers,
        upstairs,
        (paris(2026, 12, 2, 9), paris(2026, 12, 2, 23, 30)),
        10000,
        [{"value_cents": 5000, "count": 2}, {"value_cents": 50, "count": 1}],  # 50 cents over
    )
    await _session(  # closed at 00:20 in Paris on the 3rd: after the range
        client,
        auth_headers,
        desk_till,
        (paris(2026, 12, 2, 23, 45), paris(2026, 12, 3, 0, 20)),
        10000,
        [{"value_cents": 5000, "count": 1}],
    )
    clock.pin(paris(2026, 12, 4, 9))
    owner = await auth_headers(Role.owner)

    answer = await client.get("/api/v1/reports/cash-differences", params=RANGE, headers=owner)

    assert answer.status_code == 200, answer.text
    rows = answer.json()["rows"]
    assert [
        (r["till"], r["opened_at"], r["closed_at"], r["expected_cents"], r["counted_cents"])
        for r in rows
    ] == [
        ("Accueil", "2026-12-01T09:00:00+01:00", "2026-12-01T19:00:00+01:00", 23110, 23000),
        ("Étage", "2026-12-02T09:00:00+01:00", "2026-12-02T23:30:00+01:00", 10000, 10050),
    ]
    assert [r["difference_cents"] for r in rows] == [-110, 50]
    assert [r["register_id"] for r in rows] == [desk_till, upstairs]
    assert {r["closed_by"] for r in rows} == {"Agathe Staff"}
    assert all(r["closed_by_user_id"] for r in rows)
    assert answer.json()["difference_cents"] == -60
