"""The till's shared steps: a salon with products in stock, a till open, an order, its
tenders, its ticket."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse
from uuid import UUID

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.db import unit_of_work
from app.core.ids import new_id
from tests.factories.availability import open_salon
from tests.factories.bookings import CLIENT, NINE
from tests.factories.catalog import make_service
from tests.factories.payments import pay_deposit, payment, post_stripe
from tests.factories.practitioners import make_practitioner
from tests.fakes.server import FakeProviders
from tests.fakes.sumup import PAIRING_CODE
from tests.sales.helpers import make_register
from tests.stock.helpers import deliver

SERUM_EAN = "3600523614516"
CREAM_EAN = "3017620422003"


async def product(
    name: str, price_cents: int, *, vat: str = "20.00", barcode: str | None = None
) -> UUID:
    from decimal import Decimal

    from app.catalog.models import Product

    now = utcnow()
    made = Product(
        id=new_id(),
        name=name,
        brand="Maison Lila",
        sku=f"SKU-{new_id().hex[-8:]}",
        barcode=barcode,
        price_cents=price_cents,
        vat_rate=Decimal(vat),
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    async with unit_of_work() as session:
        session.add(made)
    return made.id


async def stocked(
    client: AsyncClient, manager: dict[str, str], name: str, price_cents: int, packs: int, **kw: Any
) -> UUID:
    made = await product(name, price_cents, **kw)
    await deliver(client, manager, made, packs, price_cents // 2)
    return made


async def open_till(
    client: AsyncClient, manager: dict[str, str], name: str = "Accueil", float_cents: int = 10000
) -> str:
    register = await make_register(client, manager, name)
    opened = await client.post(
        f"/api/v1/sales/registers/{register}/open",
        json={"float_cents": float_cents},
        headers=manager,
    )
    assert opened.status_code == 201, opened.text
    return register


async def new_order(client: AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    made = await client.post("/api/v1/sales/orders", json=body, headers=headers)
    assert made.status_code == 201, made.text
    return dict(made.json())


async def tender(
    client: AsyncClient, headers: dict[str, str], order_id: str, **body: Any
) -> dict[str, Any]:
    paid = await client.post(
        f"/api/v1/sales/orders/{order_id}/payments", json=body, headers=headers
    )
    assert paid.status_code == 201, paid.text
    return dict(paid.json())


async def complete(client: AsyncClient, headers: dict[str, str], order_id: str) -> dict[str, Any]:
    done = await client.post(f"/api/v1/sales/orders/{order_id}/complete", headers=headers)
    assert done.status_code == 200, done.text
    return dict(done.json())


async def on_hand(client: AsyncClient, manager: dict[str, str], product_id: UUID) -> int:
    found = await client.get(f"/api/v1/stock/items/{product_id}", headers=manager)
    assert found.status_code == 200, found.text
    return int(found.json()["on_hand"])


async def receipt(client: AsyncClient, headers: dict[str, str], ticket_id: str) -> dict[str, Any]:
    got = await client.get(
        f"/api/v1/sales/tickets/{ticket_id}/receipt", params={"format": "json"}, headers=headers
    )
    assert got.status_code == 200, got.text
    return dict(got.json())


async def booked_and_deposit_paid(client: AsyncClient, fakes: FakeProviders) -> dict[str, Any]:
    """A 90 € massage (27 € deposit) and a 60 € facial by Camille, the deposit paid by card
    online: the booking is confirmed."""
    await open_salon()
    massage = await make_service("Massage", minutes=60, price_cents=9000, deposit_percent="30")
    facial = await make_service("Soin visage", minutes=60, price_cents=6000)
    await make_practitioner("Camille", [massage, facial])
    held = await client.post(
        "/api/v1/bookings",
        json={"service_ids": [str(massage), str(facial)], "start": NINE, "client": CLIENT},
    )
    assert held.status_code == 201, held.text
    booking = dict(held.json())
    started = await pay_deposit(client, booking)
    assert started.status_code == 201, started.text
    paid = await post_stripe(client, fakes.stripe.pay(started.json()["client_secret"]))
    assert paid.status_code == 200, paid.text
    return booking


async def pair_reader(client: AsyncClient, headers: dict[str, str]) -> str:
    paired = await client.post(
        "/api/v1/payments/terminal/readers",
        json={"pairing_code": PAIRING_CODE, "name": "Comptoir"},
        headers=headers,
    )
    assert paired.status_code == 201, paired.text
    return str(paired.json()["id"])


async def reader_pays(
    client: AsyncClient, session: AsyncSession, fakes: FakeProviders, payment_id: str
) -> None:
    """The client taps her card: SumUp reports the payment."""
    taken = await payment(session, payment_id)
    return_url, body = fakes.sumup.finish(str(taken.provider_ref), "successful")
    parsed = urlparse(return_url)
    assert (await client.post(f"{parsed.path}?{parsed.query}", json=body)).status_code == 200


__all__ = ["CREAM_EAN", "SERUM_EAN", "make_register"]
