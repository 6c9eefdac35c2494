"""The invoicing tests' shared steps: a ticket sold at the till (through the API) to a
client, the invoice of it, the PDF read back."""

from __future__ import annotations

import io
from typing import Any

from httpx import AsyncClient
from pypdf import PdfReader

from tests.sales.orders_helpers import complete, new_order, open_till, stocked, tender

CREAM = ("Crème hydratante", 3000)  # 30 € VAT included, 20 %
SERUM = ("Sérum éclat", 4550)


async def sold_ticket(
    client: AsyncClient,
    headers: dict[str, str],
    *,
    client_id: str | None = None,
    till: str | None = None,
    lines: list[tuple[tuple[str, int], int]] | None = None,
) -> dict[str, Any]:
    """A ticket for 2 creams and a serum (105,50 €) paid by card, to `client_id`."""
    register = till or await open_till(client, headers)
    ordered = []
    for (name, price), quantity in lines or [(CREAM, 2), (SERUM, 1)]:
        product = await stocked(client, headers, name, price, 10)
        ordered.append({"kind": "product", "product_id": str(product), "quantity": quantity})
    order = await new_order(
        client, headers, register_id=register, lines=ordered, client_id=client_id
    )
    await tender(client, headers, order["id"], method="cash")
    return await complete(client, headers, order["id"])


async def new_client(client: AsyncClient, headers: dict[str, str], **fields: Any) -> str:
    body = {"first_name": "Hélène", "last_name": "Dupont", "email": "helene@example.fr"}
    made = await client.post("/api/v1/clients", json=body | fields, headers=headers)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def invoice_of(
    client: AsyncClient, headers: dict[str, str], ticket_id: str, **body: Any
) -> dict[str, Any]:
    made = await client.post(
        "/api/v1/invoices",
        json={"source_kind": "ticket", "source_id": ticket_id} | body,
        headers=headers,
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\u00a0", " ")
