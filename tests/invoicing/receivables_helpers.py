"""Steps of the receivables tests: a company as a client, a sale left owed on account at the
till, its invoice (made by the outbox), a payment recorded on it, the receivables report."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.factories.core import run_outbox
from tests.invoicing.helpers import CREAM, SERUM, new_client
from tests.sales.orders_helpers import complete, new_order, stocked, tender

CLIENTS, BANK, CASH = "411000", "512000", "530000"


async def company(
    client: AsyncClient, headers: dict[str, str], name: str = "Atelier Dupont SARL", **fields: Any
) -> str:
    body = {"company_name": name, "email": f"compta@{name.split()[0].lower()}.fr"} | fields
    return await new_client(client, headers, **body)


async def order_for(
    client: AsyncClient, manager: dict[str, str], till: str, client_id: str | None
) -> dict[str, Any]:
    """2 creams and a serum: 105,50 € VAT included (20 %)."""
    lines = []
    for (name, price), quantity in ((CREAM, 2), (SERUM, 1)):
        product = await stocked(client, manager, name, price, 10)
        lines.append({"kind": "product", "product_id": str(product), "quantity": quantity})
    return await new_order(client, manager, register_id=till, lines=lines, client_id=client_id)


async def sold_on_account(
    client: AsyncClient,
    manager: dict[str, str],
    till: str,
    client_id: str,
    *,
    cash_cents: int = 0,
) -> dict[str, Any]:
    """The order paid `cash_cents` in cash, the rest left on account; its ticket, invoiced."""
    order = await order_for(client, manager, till, client_id)
    if cash_cents:
        await tender(client, manager, order["id"], method="cash", amount_cents=cash_cents)
    await tender(client, manager, order["id"], method="on_account")
    ticket = await complete(client, manager, order["id"])
    await run_outbox()
    return ticket


async def invoice_of_ticket(
    client: AsyncClient, headers: dict[str, str], ticket_id: str
) -> dict[str, Any]:
    listed = await client.get("/api/v1/invoices", params={"kind": "invoice"}, headers=headers)
    assert listed.status_code == 200, listed.text
    for item in listed.json()["items"]:
        got = await client.get(f"/api/v1/invoices/{item['id']}", headers=headers)
        if got.json()["source_id"] == ticket_id:
            return dict(got.json())
    raise AssertionError(f"no invoice for ticket {ticket_id}")


async def pay(client: AsyncClient, headers: dict[str, str], invoice_id: str, **body: Any) -> Any:
    return await client.post(f"/api/v1/invoices/{invoice_id}/payments", json=body, headers=headers)


async def report(client: AsyncClient, headers: dict[str, str], as_of: str) -> dict[str, Any]:
    got = await client.get(
        "/api/v1/accounting/receivables", params={"as_of": as_of}, headers=headers
    )
    assert got.status_code == 200, got.text
    return dict(got.json())


async def ledger_balance(
    client: AsyncClient, headers: dict[str, str], year: int, *, through: str | None = None
) -> int:
    """Debit less credit of 411000 in the general ledger, every page walked."""
    total, cursor = 0, None
    while True:
        params: dict[str, Any] = {"account_number": CLIENTS, "year": year, "limit": 2}
        page = await client.get(
            "/api/v1/accounting/ledger",
            params=params | ({"cursor": cursor} if cursor else {}),
            headers=headers,
        )
        assert page.status_code == 200, page.text
        for line in page.json()["items"]:
            if through is None or line["entry_date"] <= through:
                total += line["debit_cents"] - line["credit_cents"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return total
