"""Test set-up: a throwaway PostgreSQL database migrated by Alembic once per run, a real Redis
when one answers, and two ways to keep tests apart.

- By default a test runs inside one transaction on one connection, rolled back at its end.
  Every session the app opens in the test's loop (HTTP requests through `client`, the
  `session` fixture, `unit_of_work()` in builders, flows, outbox handlers and task bodies
  called in-process) joins it through a savepoint (`join_transaction_mode=
  "create_savepoint"`, `app.core.db.bind_sessions`): a commit releases the savepoint, a
  rollback returns to it, nothing reaches the database for good. Sessions that interleave
  (a race) fail the test with a message asking for the marker below (tests/isolation.py).
  The `session` fixture's rollback keeps what the app wrote since (see ArrangingSession).
- `@pytest.mark.commits` (or `race`; a whole module with `pytestmark`): the test commits for
  real on the pool's connections and every table is emptied after it. For what one
  connection cannot show: races with `asyncio.gather` on several sessions, SKIP LOCKED or
  row locks seen from another session, a subprocess, a thread or another event loop (Celery
  eager tasks, async_bridge) reading the rows, a transaction that must outlive one rolled
  back (an audit row written apart).
  `MARKED_HERE` marks such tests in files this conftest may not edit.
  `TEST_ISOLATION=commits` in the environment runs every test this way (to compare).

Either way Redis keys, the clock, the fakes, the console and the settings cache are reset
after each test. The environment is set before the app is imported: settings are read once.
"""

from __future__ import annotations

import base64
import os
import secrets
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator

import psycopg
import pytest
from sqlalchemy import make_url

RUN_ID = secrets.token_hex(4)
with socket.socket() as _probe:
    _probe.bind(("127.0.0.1", 0))
    FAKES_PORT = int(_probe.getsockname()[1])
FAKES_URL = f"http://127.0.0.1:{FAKES_PORT}"
ADMIN_URL = os.environ.get("TEST_PG_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
TEST_DB = f"salon_test_{RUN_ID}"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

os.environ.update(
    {
        "APP_ENV": "test",
        "APP_LOG_JSON": "false",
        "APP_LOG_LEVEL": "WARNING",
        "DATABASE_URL": make_url(ADMIN_URL).set(database=TEST_DB).render_as_string(False),
        "DATABASE_POOL_SIZE": "5",
        "SECURITY_SECRET_KEY": "test-secret-key-" + "x" * 32,
        "SECURITY_ARGON2_TIME_COST": "1",
        "SECURITY_ARGON2_MEMORY_COST": "1024",
        "REDIS_KEY_PREFIX": f"salon-test-{RUN_ID}",
        "ADMIN_EMAIL": "",
        # Every payment provider points at the local fakes (tests/fakes).
        "APP_PUBLIC_URL": "http://testserver",
        "STRIPE_SECRET_KEY": "sk_test_fake",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_fake",
        "STRIPE_WEBHOOK_SECRET": "whsec_fake_endpoint_secret",
        "STRIPE_API_BASE": f"{FAKES_URL}/stripe",
        "PAYPAL_CLIENT_ID": "fake-paypal-client",
        "PAYPAL_CLIENT_SECRET": "fake-paypal-secret",
        "PAYPAL_WEBHOOK_ID": "1JE4291016473214C",
        "PAYPAL_API_BASE": f"{FAKES_URL}/paypal",
        "SUMUP_API_KEY": "sup_sk_fake",
        "SUMUP_MERCHANT_CODE": "MFAKE123",
        "SUMUP_API_BASE": f"{FAKES_URL}/sumup",
        "STORAGE_LOCAL_DIR": tempfile.mkdtemp(prefix="salon-test-storage-"),
        "RESEND_WEBHOOK_SECRET": "whsec_"
        + base64.b64encode(b"resend-fake-signing-secret-32by").decode(),
    }
)
if REDIS_URL:
    os.environ["REDIS_URL"] = REDIS_URL
else:
    os.environ.pop("REDIS_URL", None)

from httpx import ASGITransport, AsyncClient  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession  # noqa: E402

from app.core import clock  # noqa: E402
from app.core.db import Base, dispose_engine, get_sessionmaker, unit_of_work  # noqa: E402
from app.core.redis import get_redis  # noqa: E402
from app.integrations.console import console  # noqa: E402
from tests.fakes.server import FakeProviders  # noqa: E402
from tests.isolation import (  # noqa: E402
    LEFT_BEHIND,
    NEEDS_COMMITS,
    LeftRows,
    arranging_session,
    rolled_back,
)

pytest_plugins = ["tests.factories.auth"]

LEFT_ROWS = LeftRows()
# Rows the migrations create and every test expects: reset, never deleted.
KEPT_ROWS = {
    "booking_rules",
    "cache_versions",
    "accounting_accounts",
    "accounting_journals",
}
DEFAULT_RULES = ", ".join(
    f"{column} = DEFAULT"
    for column in (
        "slot_interval_minutes",
        "min_lead_time_minutes",
        "max_advance_days",
        "hold_minutes",
        "cancellation_notice_hours",
        "home_visit_radius_km",
        "home_travel_minutes",
        "home_travel_fee_cents",
        "salon_latitude",
        "salon_longitude",
        "deposit_policy",
        "updated_at",
    )
)


@pytest.fixture(scope="session", autouse=True)
def database() -> Iterator[str]:
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{TEST_DB}"')
    try:
        from alembic import command
        from alembic.config import Config

        config = Config("alembic.ini")
        config.attributes["configure_logger"] = False
        command.upgrade(config, "head")
        LEFT_ROWS.start(os.environ["DATABASE_URL"], KEPT_ROWS)
        _note_seeded_accounts(os.environ["DATABASE_URL"])
        yield TEST_DB
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)')


# The account mapping the migration seeds (the accountant edits it): put back after a test
# that commits, like booking_rules.
SEEDED_ACCOUNTS: list[dict[str, str]] = []


def _note_seeded_accounts(dsn: str) -> None:
    with psycopg.connect(dsn) as connection:
        rows = connection.execute("SELECT key, number, label FROM accounting_accounts")
        SEEDED_ACCOUNTS[:] = [{"key": k, "number": n, "label": label} for k, n, label in rows]


_fake_providers = FakeProviders(FAKES_PORT)


@pytest.fixture(scope="session", autouse=True)
def _fakes_running() -> Iterator[FakeProviders]:
    _fake_providers.start()
    yield _fake_providers
    _fake_providers.stop()


@pytest.fixture
def fakes(_fakes_running: FakeProviders) -> FakeProviders:
    """Stripe, PayPal and SumUp as local HTTP fakes (the settings point every adapter there)."""
    return _fakes_running


@pytest.fixture
def real_channels(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProviders]:
    """Messages go through the real Resend and OVH adapters, to the local fakes (by default
    tests send them to the console, where they can read them)."""
    from app.core.config import get_settings

    monkeypatch.setenv("RESEND_API_KEY", "re_fake_key")
    monkeypatch.setenv("RESEND_API_BASE", f"{FAKES_URL}/resend")
    monkeypatch.setenv("OVH_ENDPOINT", f"{FAKES_URL}/ovh/1.0")
    monkeypatch.setenv("OVH_APPLICATION_KEY", "fake-ovh-ak")
    monkeypatch.setenv("OVH_APPLICATION_SECRET", "fake-ovh-as")
    monkeypatch.setenv("OVH_CONSUMER_KEY", "fake-ovh-ck")
    monkeypatch.setenv("OVH_SMS_SERVICE_NAME", "sms-fake11111-1")
    get_settings.cache_clear()
    yield _fake_providers
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def no_provider_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As on a laptop with no keys: every provider is the console adapter."""
    from app.core.config import get_settings

    for name in ("STRIPE_SECRET_KEY", "PAYPAL_CLIENT_ID", "SUMUP_API_KEY"):
        monkeypatch.setenv(name, "")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


COMMITS_MARKERS = ("commits", "race")
# Tests that need real commits, in files owned elsewhere for now (their marker belongs in
# the file: move it there and drop the line).
MARKED_HERE = frozenset(
    {
        "tests/coupons/test_coupons.py::test_the_total_limit_holds_when_checkouts_race",
        "tests/giftcards/test_gift_cards.py::test_two_tills_redeeming_at_once_cannot_overdraw",
        "tests/notifications/test_flows.py::test_a_real_worker_delivers_through_redis",
        "tests/notifications/test_flows.py::test_make_run_sends_to_the_console_without_a_worker",
        "tests/notifications/test_messages.py::"
        "test_the_reminder_goes_once_even_when_two_scans_run_together",
        "tests/payments/test_stripe.py::test_two_deliveries_at_the_same_moment_change_the_state_once",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid in MARKED_HERE:
            item.add_marker(pytest.mark.commits)


ALL_COMMIT = os.environ.get("TEST_ISOLATION") == "commits"


def _commits(item: pytest.Item) -> bool:
    return ALL_COMMIT or any(item.get_closest_marker(name) for name in COMMITS_MARKERS)


@pytest.fixture(autouse=True)
async def _clean_state(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    problem = None
    if _commits(request.node):
        yield
        await _empty_tables()
    else:
        async with rolled_back() as order:
            yield
        if order.broken:
            problem = NEEDS_COMMITS.format(detail=order.broken)
        elif left := await LEFT_ROWS.found():
            await _empty_tables()
            problem = LEFT_BEHIND.format(tables=", ".join(left))
    await _reset_the_rest()
    if problem:
        pytest.fail(problem)


async def _reset_the_rest() -> None:
    from app.core.config import get_settings

    get_settings.cache_clear()  # a test's monkeypatched settings end with it
    _fake_providers.reset()
    clock.reset_travel()
    console.clear()
    redis = get_redis()
    if redis is not None:
        keys = [key async for key in redis.scan_iter(f"salon-test-{RUN_ID}:*")]
        if keys:
            await redis.delete(*keys)


async def _empty_tables() -> None:
    # DELETE beats TRUNCATE on small tables: no new files per table and per test.
    async with unit_of_work() as session:
        append_only = [t for t in Base.metadata.sorted_tables if t.info.get("append_only")]
        # Their triggers refuse DELETE (the till's journal, issued invoices): off while they
        # are emptied, first, as they may point at other tables (invoices at clients).
        await session.execute(text("SET LOCAL session_replication_role = replica"))
        for table in reversed(append_only):
            await session.execute(table.delete())
        await session.execute(text("SET LOCAL session_replication_role = origin"))
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in KEPT_ROWS and table not in append_only:
                await session.execute(table.delete())
        await session.execute(text("UPDATE booking_rules SET " + DEFAULT_RULES))  # noqa: S608
        mapping = "UPDATE accounting_accounts SET number = :number, label = :label WHERE key = :key"
        await session.execute(text(mapping), SEEDED_ACCOUNTS)


@pytest.fixture(scope="session", autouse=True)
async def _engine() -> AsyncIterator[None]:
    yield
    await dispose_engine()


@pytest.fixture
async def session() -> AsyncIterator[AsyncSession]:
    """A session for arranging and checking (in the test's transaction unless `commits`)."""
    async with arranging_session() or get_sessionmaker()() as db_session:
        yield db_session


@pytest.fixture
async def client() -> AsyncIterator[AsyncClient]:
    from app.main import app

    transport = ASGITransport(app=app, raise_app_exceptions=False, client=("10.1.2.3", 5555))
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def requires_redis() -> None:
    if not os.environ.get("REDIS_URL"):
        pytest.skip("no Redis answers on this machine")


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.fr"
