"""The two isolation modes of tests/conftest.py: a test's rows stay in its own transaction,
unless it is marked `commits`; sessions that interleave are caught."""

from __future__ import annotations

import os
from uuid import UUID

import psycopg
import pytest
from sqlalchemy import make_url, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.clients.models import Client
from tests.factories.clients import make_client
from tests.isolation import SavepointOrder


def seen_by_another_connection(client_id: UUID) -> bool:
    url = make_url(os.environ["DATABASE_URL"]).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False)) as connection:
        row = connection.execute("SELECT 1 FROM clients WHERE id = %s", (client_id,)).fetchone()
    return row is not None


@pytest.mark.skipif(os.environ.get("TEST_ISOLATION") == "commits", reason="all tests commit")
async def test_a_test_s_rows_stay_in_its_transaction() -> None:
    helene = await make_client()

    assert not seen_by_another_connection(helene)


@pytest.mark.commits
async def test_a_commits_test_writes_for_real() -> None:
    helene = await make_client()

    assert seen_by_another_connection(helene)


async def test_rolling_back_the_test_session_keeps_what_was_written_since(
    session: AsyncSession,
) -> None:
    assert await session.scalar(select(Client.id)) is None  # the session's savepoint begins
    helene = await make_client()

    await session.rollback()

    assert await session.scalar(select(Client.id)) == helene


def test_a_savepoint_ended_under_a_later_one_is_noted() -> None:
    order = SavepointOrder()
    for statement in ("SAVEPOINT a", "SAVEPOINT b", "RELEASE SAVEPOINT a"):
        order.sent(None, None, statement)  # type: ignore[arg-type]

    assert order.broken == "a ended while b, begun after it, stayed open"


def test_savepoints_ended_in_order_are_fine() -> None:
    order = SavepointOrder()
    for statement in (
        "SAVEPOINT a",
        "SAVEPOINT b",
        "ROLLBACK TO SAVEPOINT b",
        "RELEASE SAVEPOINT a",
    ):
        order.sent(None, None, statement)  # type: ignore[arg-type]

    assert (order.broken, order.open) == (None, [])
