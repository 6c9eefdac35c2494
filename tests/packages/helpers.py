"""Packages through the API: an offer made by a manager, a package bought online and paid,
one sold at the till, and a client's packages as staff see them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from httpx import AsyncClient

from tests.factories.core import run_outbox
from tests.factories.payments import post_stripe
from tests.fakes.server import FakeProviders
from tests.sales.orders_helpers import complete, new_order, open_till, tender


async def make_offer(
    client: AsyncClient, manager: dict[str, str], services: list[UUID], **terms: Any
) -> dict[str, Any]:
    """ "4 séances + 1 offerte" of the services for 200 €, unless `terms` say otherwise."""
    body = {
        "name": "4 séances + 1 offerte",
        "service_ids": [str(s) for s in services],
        "paid_sessions": 4,
        "free_sessions": 1,
        "price_cents": 20000,
        "validity_months": 6,
    } | terms
    made = await client.post("/api/v1/package-offers", json=body, headers=manager)
    assert made.status_code == 201, made.text
    return dict(made.json())


async def buy_and_pay(
    client: AsyncClient, fakes: FakeProviders, buyer: dict[str, str], offer: dict[str, Any]
) -> dict[str, Any]:
    bought = await client.post(
        "/api/v1/packages", json={"offer_id": offer["id"], "method": "stripe"}, headers=buyer
    )
    assert bought.status_code == 201, bought.text
    purchase = dict(bought.json())
    paid = await post_stripe(client, fakes.stripe.pay(purchase["client_secret"]))
    assert paid.status_code == 200, paid.text
    return purchase


async def sell_at_till(
    client: AsyncClient,
    desk: dict[str, str],
    offer: dict[str, Any],
    client_id: UUID,
    *,
    till_open: bool = False,
) -> dict[str, Any]:
    """A package sold at the till for cash: active once the ticket is made (and the outbox
    delivered). The till is opened first unless `till_open`."""
    if not till_open:
        await open_till(client, desk)
    order = await new_order(
        client,
        desk,
        client_id=str(client_id),
        lines=[{"kind": "package", "package_offer_id": offer["id"]}],
    )
    await tender(client, desk, order["id"], method="cash")
    done = await complete(client, desk, order["id"])
    await run_outbox()
    return done


async def packages_of(
    client: AsyncClient, staff: dict[str, str], client_id: UUID
) -> list[dict[str, Any]]:
    found = await client.get(f"/api/v1/clients/{client_id}/packages", headers=staff)
    assert found.status_code == 200, found.text
    return list(found.json()["items"])


async def only_package(
    client: AsyncClient, staff: dict[str, str], client_id: UUID
) -> dict[str, Any]:
    found = await packages_of(client, staff, client_id)
    assert len(found) == 1, found
    return found[0]
