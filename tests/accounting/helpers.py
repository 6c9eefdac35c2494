"""The books' shared steps: reading entries back through the API, and a booking whose deposit
was paid online (the till's own test, tests/sales/test_orders.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.payments.models import Payment
from tests.factories.availability import open_salon
from tests.factories.bookings import CLIENT, NINE
from tests.factories.catalog import make_service
from tests.factories.payments import pay_deposit, payment, post_stripe
from tests.factories.practitioners import make_practitioner
from tests.fakes.server import FakeProviders
from tests.fakes.sumup import PAIRING_CODE


async def entries(client: AsyncClient, headers: dict[str, str], **params: Any) -> list[Any]:
    found: list[Any] = []
    cursor = None
    while True:
        page = await client.get(
            "/api/v1/accounting/entries",
            params=params | {"limit": 200} | ({"cursor": cursor} if cursor else {}),
            headers=headers,
        )
        assert page.status_code == 200, page.text
        found += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return found


def postings(entry: dict[str, Any]) -> list[tuple[str, int, int]]:
    """(account number, debit, credit) of each line, in order."""
    return [(x["account_number"], x["debit_cents"], x["credit_cents"]) for x in entry["lines"]]


def balanced(entry: dict[str, Any]) -> bool:
    lines = entry["lines"]
    return len(lines) >= 2 and sum(x["debit_cents"] for x in lines) == sum(
        x["credit_cents"] for x in lines
    )


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


async def card_payment(session: AsyncSession, card_id: str) -> Payment:
    """The payment that bought a gift card."""
    found = await session.scalar(
        select(Payment).where(Payment.subject_kind == "gift_card", Payment.subject_id == card_id)
    )
    assert found is not None
    return found
