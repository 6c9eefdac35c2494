"""A referrer with her code, a friend who books with it on the site, the visit at the till,
and the e-mails both receive."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlparse

from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from app.integrations.console import ConsoleEmail, console
from tests.builders import AuthHeaders
from tests.factories.auth import sign_up
from tests.factories.bookings import NINE
from tests.factories.core import paris, run_outbox
from tests.factories.notifications import deliver_messages
from tests.sales.orders_helpers import complete, new_order, open_till, tender

LEA = {
    "first_name": "Léa",
    "last_name": "Bernard",
    "email": "lea.bernard@example.fr",
    "phone": "06 98 76 54 32",
}
PERSONAL = re.compile(r"\b(?:BIENV|MERCI)-[A-Z0-9]{4}-[A-Z0-9]{4}\b")
URL = re.compile(r"https?://\S+")


async def referrer(
    client: AsyncClient, email: str = "camille.martin@example.fr", first_name: str = "Camille"
) -> tuple[dict[str, str], str]:
    """A client account (Camille) and her referral code, as the site shows it."""
    headers = await sign_up(client, email=email, first_name=first_name, last_name="Martin")
    mine = await client.get("/api/v1/me/referrals", headers=headers)
    assert mine.status_code == 200, mine.text
    return headers, str(mine.json()["code"])


async def book_with_code(
    client: AsyncClient,
    service_id: Any,
    code: str | None,
    who: dict[str, str] | None = None,
    start: str = NINE,
) -> dict[str, Any]:
    body: dict[str, Any] = {"service_ids": [str(service_id)], "start": start, "client": who or LEA}
    if code is not None:
        body["referral_code"] = code
    made = await client.post("/api/v1/bookings", json=body)
    assert made.status_code == 201, made.text
    return dict(made.json())


async def emails_to(address: str) -> list[ConsoleEmail]:
    await deliver_messages()
    return [m for m in console.emails if m.to == address]


def personal_code_in(text: str) -> str:
    [code] = PERSONAL.findall(text)
    return code


def links_in(text: str) -> list[Any]:
    return [urlparse(u.rstrip(".,)")) for u in URL.findall(text)]


def query_of(link: Any) -> dict[str, list[str]]:
    return parse_qs(link.query)


async def visit_at_till(
    client: AsyncClient, auth_headers: AuthHeaders, booking: dict[str, Any]
) -> tuple[dict[str, str], dict[str, Any]]:
    """The day of the visit: the booking checked out at the till, the rest paid in cash, and
    the worker run (the ticket and the completed booking both published)."""
    clock.pin(paris(2027, 3, 22, 10, 30))
    manager = await auth_headers(Role.manager)
    await open_till(client, manager)
    order = await new_order(client, manager, booking_id=booking["id"])
    if order["due_cents"]:
        await tender(client, manager, order["id"], method="cash", amount_cents=order["due_cents"])
    ticket = await complete(client, manager, order["id"])
    await run_outbox()
    return manager, ticket
