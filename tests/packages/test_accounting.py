"""A package's prepayment in the books: sold online (VAT collected at sale, 487000 holds the
rest), a session used (its share to 706), the unused sessions refunded (the refund and its
VAT leave 487000, the rest to 706): every entry balances and 487000 ends at zero."""

from __future__ import annotations

from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounting.models import Entry, EntryLine
from app.auth.models import Role
from app.core import clock
from tests.factories.auth import AuthHeaders, sign_up
from tests.factories.bookings import NINE, book_by_staff, facial_with_camille
from tests.factories.core import paris, run_outbox
from tests.fakes.server import FakeProviders
from tests.packages.helpers import buy_and_pay, make_offer


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


async def _balance(session: AsyncSession, number: str) -> int:
    """Debits less credits on an account."""
    found = await session.scalar(
        select(func.coalesce(func.sum(EntryLine.debit_cents - EntryLine.credit_cents), 0)).where(
            EntryLine.account_number == number
        )
    )
    return int(found or 0)


async def test_a_package_s_prepayment_is_recognised_session_by_session_and_ends_at_zero(
    client: AsyncClient, session: AsyncSession, fakes: FakeProviders, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    facial, _ = await facial_with_camille(6000)
    offer = await make_offer(client, manager, [facial])
    ines = await sign_up(client, "ines@example.fr", "Inès", "Martin")
    purchase = await buy_and_pay(client, fakes, ines, offer)
    await run_outbox()
    # 200 € paid: 166,67 € owed in sessions, 33,33 € VAT collected now.
    assert await _balance(session, "487000") == -16667
    assert await _balance(session, "445711") == -3333
    assert await _balance(session, "419100") == 0

    client_id = UUID(purchase["package"]["client_id"])
    booking = await book_by_staff(client, manager, [facial], NINE, client_id)
    done = await client.post(
        f"/api/v1/bookings/{booking['id']}/status", json={"status": "completed"}, headers=manager
    )
    assert done.status_code == 200, done.text
    await run_outbox()
    assert await _balance(session, "487000") == -16667 + 3334  # the first session's share
    revenue_after_one = await _balance(session, "706100")
    assert revenue_after_one == -3334

    refunded = await client.post(
        f"/api/v1/packages/{purchase['package']['id']}/refund",
        json={"reason": "Déménagement"},
        headers=manager,
    )
    assert refunded.status_code == 200, refunded.text
    await run_outbox()
    assert await _balance(session, "487000") == 0
    assert await _balance(session, "419100") == 0
    # VAT: 33,33 collected, 23,33 given back with the 140 € refund.
    assert await _balance(session, "445711") == -1000
    # Revenue: the session used, and what the unused four held beyond the refund.
    assert await _balance(session, "706100") == -(3334 + 1666)
    entries = list(await session.scalars(select(Entry.id)))
    for entry_id in entries:
        lines = list(await session.scalars(select(EntryLine).where(EntryLine.entry_id == entry_id)))
        assert sum(x.debit_cents for x in lines) == sum(x.credit_cents for x in lines)
