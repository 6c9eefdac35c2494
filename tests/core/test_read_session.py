"""DATABASE_READ_URL: reports and accounting exports read through it. Pointed at a role that
may only SELECT, they still answer; a write through the read session fails; and taking one of
the tables away from that role breaks the trial balance, so reports really read through it."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import psycopg
import pytest
from httpx import AsyncClient
from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.config import get_settings
from app.core.db import dispose_engine, read_only
from tests.accounting.test_books import a_month_of_the_salon
from tests.builders import AuthHeaders
from tests.factories.core import paris, run_outbox
from tests.fakes.server import FakeProviders

# The rows must be committed for the reader's own connections to see them.
pytestmark = pytest.mark.commits


@pytest.fixture
async def reader(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """A login role with SELECT only, and DATABASE_READ_URL pointing at it."""
    primary = get_settings().db.url
    assert primary
    role = f"salon_reader_{secrets.token_hex(4)}"
    database = make_url(primary).database
    admin = make_url(primary).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE ROLE "{role}" LOGIN')
        connection.execute(f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"')
        connection.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        connection.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"')
    url = make_url(primary).set(username=role, password=None).render_as_string(False)
    monkeypatch.setenv("DATABASE_READ_URL", url)
    get_settings.cache_clear()
    try:
        yield role
    finally:
        await dispose_engine()  # the reader's pool, before its role goes
        monkeypatch.delenv("DATABASE_READ_URL")
        get_settings.cache_clear()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP OWNED BY "{role}"')
            connection.execute(f'DROP ROLE "{role}"')


async def test_reports_and_exports_answer_through_a_select_only_role(
    client: AsyncClient,
    fakes: FakeProviders,
    session: AsyncSession,
    auth_headers: AuthHeaders,
    reader: str,
) -> None:
    clock.pin(paris(2027, 3, 15, 8))  # as tests/accounting/test_books.py
    await a_month_of_the_salon(client, fakes, session, auth_headers)
    await run_outbox()
    clock.pin(paris(2027, 4, 2, 9))
    manager = await auth_headers()  # a new day, a new login

    reads = {
        "/api/v1/reports/sales?date_from=2027-03-01&date_to=2027-03-31": "rows",
        "/api/v1/reports/best-sellers?date_from=2027-03-01&date_to=2027-03-31": None,
        "/api/v1/reports/stock-movements?date_from=2027-03-01&date_to=2027-03-31": None,
        "/api/v1/reports/cash-differences?date_from=2027-03-01&date_to=2027-03-31": None,
        "/api/v1/accounting/vat-report?year=2027&month=3": None,
        "/api/v1/accounting/trial-balance/2027": "accounts",
        "/api/v1/accounting/ledger?account_number=411000&year=2027": "items",
        "/api/v1/accounting/receivables?as_of=2027-03-31": None,
        "/api/v1/accounting/reconciliation?date_from=2027-03-01&date_to=2027-03-31": None,
    }
    for path, listed in reads.items():
        answer = await client.get(path, headers=manager)
        assert answer.status_code == 200, (path, answer.text)
        if listed == "accounts":
            assert answer.json()[listed], path  # the month's entries, read by the reader
    exported = await client.post("/api/v1/accounting/fec/2027", headers=manager)
    assert exported.status_code == 200, exported.text
    assert exported.content.count(b"\r\n") > 10  # header and the month's lines

    async with read_only() as reading:
        who = await reading.scalar(text("SELECT current_user"))
    assert who == reader


async def test_a_write_through_the_read_session_fails(reader: str) -> None:
    with pytest.raises(DBAPIError, match=r"read-only transaction|permission denied"):
        async with read_only() as reading:
            await reading.execute(
                text("UPDATE booking_rules SET slot_interval_minutes = slot_interval_minutes")
            )


async def test_reports_fail_when_the_reader_may_not_read_their_table(
    client: AsyncClient,
    fakes: FakeProviders,
    session: AsyncSession,
    auth_headers: AuthHeaders,
    reader: str,
) -> None:
    manager = await auth_headers()
    assert (await client.get("/api/v1/accounting/trial-balance/2027", headers=manager)).is_success
    admin = make_url(get_settings().db.url or "").set(drivername="postgresql")
    with psycopg.connect(admin.render_as_string(False), autocommit=True) as connection:
        connection.execute(f'REVOKE SELECT ON ALL TABLES IN SCHEMA public FROM "{reader}"')  # noqa: S608
    await dispose_engine()  # fresh connections see the revoke at once

    answer = await client.get("/api/v1/accounting/trial-balance/2027", headers=manager)

    assert answer.status_code == 500
