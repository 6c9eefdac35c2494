"""The till under concurrency, with real commits: two tills completing tickets at once get
distinct consecutive numbers in one valid chain; ten checkouts spending one gift card at once
never overdraw it."""

from __future__ import annotations

import asyncio

import pytest
from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from tests.builders import AuthHeaders
from tests.factories.core import paris
from tests.factories.giftcards import sell_gift_card
from tests.sales.helpers import records, verified
from tests.sales.orders_helpers import new_order, open_till, stocked, tender

pytestmark = pytest.mark.race


@pytest.fixture(autouse=True)
def _on_the_day() -> None:
    clock.pin(paris(2027, 3, 22, 10))


async def test_two_tills_completing_at_once_get_consecutive_numbers_in_one_chain(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    shampoo = await stocked(client, manager, "Shampoing", 1800, 40)
    tills = [await open_till(client, manager, name) for name in ("Accueil", "Boutique")]
    orders = []
    for n in range(6):
        order = await new_order(
            client,
            manager,
            register_id=tills[n % 2],
            lines=[{"kind": "product", "product_id": str(shampoo)}],
        )
        await tender(client, manager, order["id"], method="cash", amount_cents=2000)
        orders.append(order["id"])

    done = await asyncio.gather(
        *(client.post(f"/api/v1/sales/orders/{o}/complete", headers=manager) for o in orders)
    )

    assert [d.status_code for d in done] == [200] * 6, [d.text for d in done]
    numbers = sorted(d.json()["number"] for d in done)
    assert numbers == [f"T2027-{n:06d}" for n in range(1, 7)]
    tickets = [r for r in await records() if r["kind"] == "ticket"]
    assert sorted(t["payload"]["number"] for t in tickets) == numbers
    assert (await verified()).ok


async def test_ten_checkouts_on_one_gift_card_at_once_never_overdraw_it(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    cream = await stocked(client, manager, "Crème", 3000, 40)
    card = (await sell_gift_card(client, manager, 10000)).json()
    till = await open_till(client, manager)
    orders = [
        (
            await new_order(
                client,
                manager,
                register_id=till,
                lines=[{"kind": "product", "product_id": str(cream)}],
            )
        )["id"]
        for _ in range(10)
    ]

    answers = await asyncio.gather(
        *(
            client.post(
                f"/api/v1/sales/orders/{o}/payments",
                json={"method": "gift_card", "gift_card_code": card["code"], "amount_cents": 3000},
                headers=manager,
            )
            for o in orders
        )
    )

    paid = [a for a in answers if a.status_code == 201]
    refused = [a for a in answers if a.status_code != 201]
    assert len(paid) == 3  # 3 x 30 € out of 100 €
    assert {a.json()["code"] for a in refused} == {"insufficient_balance"}
    balance = await client.post("/api/v1/gift-cards/balance", json={"code": card["code"]})
    assert balance.status_code == 200, balance.text
    assert balance.json()["balance_cents"] == 1000
