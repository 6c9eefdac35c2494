"""A membership's paid invoice in the books (docs/subscriptions.md, "Accounting"). A plan that
includes services is paid ahead: its price without VAT waits in 487100 and becomes 706 month
by month over the period, each month's slice posted by the daily task once the month's last
day (or the period's end) has passed; the slices sum exactly to the net, the task run again
posts nothing, a locked month's slice goes into the next open one, and the year's FEC passes.
A plan without services books its revenue at payment."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounting import recognition, subscription_postings
from app.accounting.models import Entry, EntryLine, MembershipRecognition
from app.accounting.tasks import recognise_memberships
from app.auth.models import Role
from app.core import clock
from app.core.db import unit_of_work
from app.subscriptions.public import InvoiceRevenue
from tests.accounting.fec_validator import validate
from tests.factories.auth import AuthHeaders, sign_up
from tests.factories.bookings import facial_with_camille
from tests.factories.core import paris, run_outbox, settings_changed
from tests.fakes.server import FakeProviders
from tests.subscriptions.helpers import make_plan, subscribed_and_paid

GROSS = 5900  # make_plan's "Abonnement soins"


@pytest.fixture(autouse=True)
def _the_ides_of_march(monkeypatch: pytest.MonkeyPatch) -> None:
    clock.pin(paris(2027, 3, 15, 8))
    settings_changed(monkeypatch, ACCOUNTING_SIREN="812345678")


@pytest.fixture
async def manager(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.manager)


async def _balance(session: AsyncSession, key: str) -> int:
    """Debits less credits on a role of the mapping."""
    found = await session.scalar(
        select(func.coalesce(func.sum(EntryLine.debit_cents - EntryLine.credit_cents), 0)).where(
            EntryLine.account_key == key
        )
    )
    return int(found or 0)


async def _recognitions(session: AsyncSession) -> list[Entry]:
    found = await session.scalars(
        select(Entry)
        .where(Entry.source_key.like("subscription_recognition:%"))
        .order_by(Entry.entry_date)
    )
    return list(found)


async def _all_balanced(session: AsyncSession) -> None:
    for entry_id in list(await session.scalars(select(Entry.id))):
        lines = list(await session.scalars(select(EntryLine).where(EntryLine.entry_id == entry_id)))
        assert sum(x.debit_cents for x in lines) == sum(x.credit_cents for x in lines)


async def _paid(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str], *, services: bool
) -> None:
    facial, _ = await facial_with_camille(6000)
    plan = await make_plan(client, manager, [facial] if services else [])
    ines = await sign_up(client, "ines.abo@example.fr", "Inès", "Martin")
    await subscribed_and_paid(client, fakes, ines, plan)
    await run_outbox()


async def test_a_prepaid_membership_is_recognised_month_by_month_and_487100_ends_at_zero(
    client: AsyncClient,
    fakes: FakeProviders,
    manager: dict[str, str],
    session: AsyncSession,
    auth_headers: AuthHeaders,
) -> None:
    await _paid(client, fakes, manager, services=True)
    vat = -await _balance(session, "vat_20")
    net = GROSS - vat
    assert vat > 0
    assert await _balance(session, "stripe") == GROSS
    assert await _balance(session, "prepaid_memberships") == -net
    assert await _balance(session, "services_20") == 0
    assert await recognise_memberships() == 0  # March has not ended
    row = await session.scalar(select(MembershipRecognition))
    assert row is not None
    assert (row.net_cents, row.recognised_cents) == (net, 0)
    # The fake Stripe's month is 30 days: 15 March to 14 April, 17 of its days in March.
    assert (row.period_start_at, row.period_end_at) == (
        paris(2027, 3, 15, 8),
        paris(2027, 4, 14, 9),  # 30 days later, summer time
    )
    march = net * 17 // 30
    clock.pin(paris(2027, 4, 1, 0, 30))
    assert await recognise_memberships() == 1
    session.expire_all()
    assert await _balance(session, "services_20") == -march
    assert await _balance(session, "prepaid_memberships") == -(net - march)
    clock.pin(paris(2027, 4, 14, 23, 0))
    assert await recognise_memberships() == 0  # the period's last day has not passed

    clock.pin(paris(2027, 4, 15, 0, 30))
    assert await recognise_memberships() == 1
    assert await recognise_memberships() == 0
    clock.pin(paris(2027, 5, 1, 0, 30))
    assert await recognise_memberships() == 0
    session.expire_all()
    assert await _balance(session, "prepaid_memberships") == 0
    assert await _balance(session, "services_20") == -net
    assert await _balance(session, "vat_20") == -vat  # collected once, at payment
    found = await _recognitions(session)
    assert [e.entry_date for e in found] == [date(2027, 3, 31), date(2027, 4, 14)]
    assert {e.journal_code for e in found} == {"OD"}
    await session.refresh(row)
    assert row.recognised_cents == row.net_cents == net
    await _all_balanced(session)

    accountant = await auth_headers(Role.manager)  # May: a fresh token
    answer = await client.post("/api/v1/accounting/fec/2027", headers=accountant)
    assert answer.status_code == 200, answer.text
    [name] = re.findall(r'filename="([^"]+)"', answer.headers["content-disposition"])
    report = validate(name, answer.content, year=2027)
    assert report.ok, report.problems


async def test_a_locked_month_s_slice_goes_into_the_next_open_period(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str], session: AsyncSession
) -> None:
    await _paid(client, fakes, manager, services=True)
    locked = await client.post("/api/v1/accounting/periods/2027/3/lock", headers=manager)
    assert locked.status_code == 200, locked.text
    clock.pin(paris(2027, 4, 2, 9))
    assert await recognise_memberships() == 1
    [entry] = await _recognitions(session)
    assert (entry.entry_date, entry.document_date) == (date(2027, 4, 1), date(2027, 3, 31))
    assert "opération du 31/03/2027" in entry.label


async def test_a_plan_without_services_books_its_revenue_when_paid(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str], session: AsyncSession
) -> None:
    await _paid(client, fakes, manager, services=False)
    vat = -await _balance(session, "vat_20")
    assert await _balance(session, "stripe") == GROSS
    assert await _balance(session, "services_20") == -(GROSS - vat)
    assert await _balance(session, "prepaid_memberships") == 0
    assert await session.scalar(select(func.count()).select_from(MembershipRecognition)) == 0
    clock.pin(paris(2027, 5, 1, 9))
    assert await recognise_memberships() == 0
    await _all_balanced(session)


def test_a_year_s_slices_follow_the_calendar_months_and_sum_to_the_net() -> None:
    start = datetime(2027, 3, 15, 7, 0, tzinfo=UTC)  # 08:00 in Paris
    end = datetime(2028, 3, 15, 7, 0, tzinfo=UTC)
    parts = subscription_postings.slices(start, end, 58_999)
    assert [p.month for p in parts][:2] == ["2027-03", "2027-04"]
    assert len(parts) == 13
    assert parts[-1].month == "2028-03"
    assert parts[0].day == date(2027, 3, 31)
    assert parts[1].day == date(2027, 4, 30)
    assert parts[11].day == date(2028, 2, 29)
    assert parts[-1].day == date(2028, 3, 15)
    assert sum(p.cents for p in parts) == 58_999
    # 366 days: February 2028 has 29 of them, pro rata temporis.
    assert parts[11].cents == 58_999 * 29 // 366


@pytest.mark.race
async def test_two_workers_at_once_post_each_slice_once(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str], session: AsyncSession
) -> None:
    await _paid(client, fakes, manager, services=True)
    clock.pin(paris(2027, 5, 1, 9))

    async def worker() -> int:
        async with unit_of_work() as own:
            return await recognition.post_due(own, date(2027, 5, 1))

    counts = await asyncio.gather(worker(), worker())
    assert sorted(counts) in ([0, 2], [1, 1])
    assert len(await _recognitions(session)) == 2
    assert await _balance(session, "prepaid_memberships") == 0


def test_a_prepaid_invoice_with_nothing_to_spread_is_booked_at_payment() -> None:
    """A proration's credit (net not positive) never waits in 487100: nothing would move it."""
    event = InvoiceRevenue(
        subscription_id=uuid4(),
        invoice_id=uuid4(),
        amount_cents=-1200,
        vat_cents=-200,
        vat_rate="20.00",
        period_start_at=paris(2027, 3, 15, 8).isoformat(),
        period_end_at=paris(2027, 4, 14, 9).isoformat(),
        prepaid=True,
        paid_at=paris(2027, 3, 15, 8).isoformat(),
    )
    draft = subscription_postings.invoice_paid(event)
    assert {line.account_key for line in draft.lines} == {"stripe", "services_20", "vat_20"}
    assert draft.balanced
