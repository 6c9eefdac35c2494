"""Payouts' shared steps: money taken by Stripe, on the SumUp reader and by PayPal, the
books' entries and the reconciliation read back through the API."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from httpx import AsyncClient

from tests.accounting.helpers import entries
from tests.bookings.salon import book_by_staff, facial_with_camille
from tests.factories.core import run_outbox
from tests.factories.payments import held_with_checkout, post_paypal, post_stripe
from tests.fakes.server import FakeProviders
from tests.fakes.sumup import PAIRING_CODE

BANK, FEES = "512000", "627800"
SUMUP, STRIPE, PAYPAL = "467100", "467200", "467300"
NINE = "2027-03-22T09:00:00+01:00"


async def stripe_deposit(client: AsyncClient, fakes: FakeProviders) -> str:
    """A 27 € deposit of a 90 € massage paid by card online: the payment's id."""
    _, checkout = await held_with_checkout(client)
    paid = await post_stripe(client, fakes.stripe.pay(checkout["client_secret"]))
    assert paid.status_code == 200, paid.text
    return str(checkout["payment_id"])


async def paypal_deposit(client: AsyncClient, fakes: FakeProviders) -> str:
    """The same deposit through PayPal: approved, captured by the site, then PayPal's
    capture-completed webhook."""
    booking, checkout = await held_with_checkout(client, method="paypal")
    order_id = checkout["approval_url"].rsplit("token=", 1)[-1]
    fakes.paypal.approve(order_id)
    captured = await client.post(
        f"/api/v1/payments/{checkout['payment_id']}/capture",
        json={"token": booking["manage_token"]},
    )
    assert captured.status_code == 200, captured.text
    assert (await post_paypal(client, fakes, fakes.paypal.capture_completed(order_id))).is_success
    return str(checkout["payment_id"])


async def reader_sale(client: AsyncClient, fakes: FakeProviders, desk: dict[str, str]) -> str:
    """A 60 € facial paid on the SumUp reader: the payment's provider ref (client txn id)."""
    facial, _ = await facial_with_camille()
    booking = await book_by_staff(client, desk, [facial], NINE)
    paired = await client.post(
        "/api/v1/payments/terminal/readers",
        json={"pairing_code": PAIRING_CODE, "name": "Comptoir"},
        headers=desk,
    )
    assert paired.status_code == 201, paired.text
    started = await client.post(
        "/api/v1/payments/in-person",
        json={
            "booking_id": booking["id"],
            "method": "sumup_terminal",
            "reader_id": paired.json()["id"],
        },
        headers=desk,
    )
    assert started.status_code == 201, started.text
    return_url, body = fakes.sumup.finish(started.json()["provider_ref"], "successful")
    parsed = urlparse(return_url)
    assert (await client.post(f"{parsed.path}?{parsed.query}", json=body)).status_code == 200
    return str(started.json()["provider_ref"])


async def payouts(client: AsyncClient, headers: dict[str, str], **params: Any) -> list[Any]:
    listed = await client.get("/api/v1/payments/payouts", params=params, headers=headers)
    assert listed.status_code == 200, listed.text
    return list(listed.json()["items"])


async def bank_entries(client: AsyncClient, headers: dict[str, str]) -> list[Any]:
    await run_outbox()
    return await entries(client, headers, journal="BQ")


async def ledger_balance(
    client: AsyncClient, headers: dict[str, str], account: str, year: int
) -> int:
    """Debits less credits of an account's general ledger of the year (every page)."""
    total, cursor = 0, None
    while True:
        page = await client.get(
            "/api/v1/accounting/ledger",
            params={"account_number": account, "year": year, "limit": 200}
            | ({"cursor": cursor} if cursor else {}),
            headers=headers,
        )
        assert page.status_code == 200, page.text
        total += sum(x["debit_cents"] - x["credit_cents"] for x in page.json()["items"])
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return total
