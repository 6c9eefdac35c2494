"""Invoice numbers on the real PostgreSQL, committed for real: twenty issued at once on
separate connections get 1..20, no gap and no duplicate; a rollback gives its number back."""

from __future__ import annotations

import asyncio
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import select

from app.auth.models import Role
from app.core import clock
from app.core.db import unit_of_work
from app.invoicing import service
from app.invoicing.models import Invoice
from tests.builders import AuthHeaders
from tests.factories.core import paris
from tests.invoicing.helpers import new_client
from tests.sales.orders_helpers import complete, new_order, open_till, stocked, tender

pytestmark = pytest.mark.race


@pytest.fixture(autouse=True)
def _on_the_day() -> None:
    clock.pin(paris(2027, 3, 22, 10))


async def _tickets(client: AsyncClient, auth_headers: AuthHeaders, how_many: int) -> list[UUID]:
    manager = await auth_headers(Role.manager)
    till = await open_till(client, manager)
    helene = await new_client(client, manager)
    cream = await stocked(client, manager, "Crème", 3000, how_many)
    tickets = []
    for _ in range(how_many):
        line = {"kind": "product", "product_id": str(cream)}
        order = await new_order(client, manager, register_id=till, lines=[line], client_id=helene)
        await tender(client, manager, order["id"], method="cash")
        tickets.append(UUID((await complete(client, manager, order["id"]))["id"]))
    return tickets


async def _issue(ticket_id: UUID) -> str:
    async with unit_of_work() as session:
        invoice = await service.issue_invoice(session, source_kind="ticket", source_id=ticket_id)
        return invoice.number


async def _issue_then_crash(ticket_id: UUID) -> None:
    async with unit_of_work() as session:
        lost = await service.issue_invoice(session, source_kind="ticket", source_id=ticket_id)
        raise RuntimeError(f"the till crashed after {lost.number}")


async def _numbers() -> list[str]:
    async with unit_of_work() as session:
        found = await session.execute(select(Invoice.number).order_by(Invoice.number))
        return list(found.scalars())


async def test_twenty_invoices_issued_at_once_are_numbered_1_to_20(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    tickets = await _tickets(client, auth_headers, 20)

    numbers = await asyncio.gather(*(_issue(ticket) for ticket in tickets))

    expected = [f"F2027-{n:06d}" for n in range(1, 21)]
    assert sorted(numbers) == expected
    assert await _numbers() == expected


async def test_a_rolled_back_issue_leaves_no_hole(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    first, second = await _tickets(client, auth_headers, 2)

    with pytest.raises(RuntimeError, match="the till crashed after F2027-000001"):
        await _issue_then_crash(first)
    numbers = [await _issue(second), await _issue(first)]

    assert numbers == ["F2027-000001", "F2027-000002"]
    assert await _numbers() == numbers


async def test_the_same_sale_invoiced_twice_at_once_gets_one_invoice_and_no_hole(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    ticket, later = await _tickets(client, auth_headers, 2)

    outcomes = await asyncio.gather(_issue(ticket), _issue(ticket), return_exceptions=True)
    next_one = await _issue(later)

    assert sorted(type(outcome).__name__ for outcome in outcomes) == [
        "InvoiceAlreadyIssued",
        "str",
    ]
    assert next_one == "F2027-000002"
    assert await _numbers() == ["F2027-000001", "F2027-000002"]
