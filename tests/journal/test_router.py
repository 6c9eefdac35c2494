"""The manager's verification endpoint and X reading, the start-up check, the beat task and
the JET's user changes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from httpx import AsyncClient
from sqlalchemy import text

from app.auth.public import TOPIC_STAFF_DEACTIVATED, Role
from app.core import clock, outbox
from app.core.clock import utcnow
from app.core.db import unit_of_work
from app.journal import public as journal
from app.journal.public import RecordKind
from app.journal.tasks import close_due_periods
from tests.builders import AuthHeaders, deliver_messages, settings_changed
from tests.journal.builders import ticket

DAY = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)


async def _sell(number: str) -> None:
    async with unit_of_work() as session:
        await journal.append(
            session, RecordKind.ticket, ticket(number, DAY), register_id=uuid.uuid4()
        )


async def _sell_on_day(number: str) -> None:
    with clock.frozen_at(DAY):
        await _sell(number)


async def _jet_kinds() -> list[str]:
    async with unit_of_work() as session:
        query = "SELECT kind FROM journal_records WHERE chain = 'jet' ORDER BY sequence"
        return list(await session.scalars(text(query)))


async def test_a_manager_verifies_the_journal_and_sees_every_problem(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    await _sell_on_day("T-1")
    await _sell_on_day("T-2")
    manager = await auth_headers(Role.manager)

    sound = await client.get("/api/v1/sales/journal/verify", headers=manager)
    async with unit_of_work() as session:
        await session.execute(text("SET LOCAL session_replication_role = replica"))
        await session.execute(text("DELETE FROM journal_records WHERE sequence = 2"))
    broken = await client.get("/api/v1/sales/journal/verify", headers=manager)

    assert sound.status_code == 200, sound.text
    assert sound.json()["ok"] is True
    sales = next(chain for chain in sound.json()["chains"] if chain["chain"] == "sales")
    assert (sales["first"]["sequence"], sales["last"]["sequence"]) == (1, 2)
    assert sales["first"]["recorded_at"].endswith("+01:00")  # in the salon's zone
    assert sound.json()["checked_at"][-6:] in {"+01:00", "+02:00"}
    assert broken.json()["ok"] is False
    assert [i["problem"] for i in broken.json()["issues"]] == ["head_mismatch"]
    assert "verification_failed" in await _jet_kinds()


async def test_a_receptionist_may_not_verify_the_journal(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    headers = await auth_headers(Role.receptionist)

    answer = await client.get("/api/v1/sales/journal/verify", headers=headers)

    assert answer.status_code == 403


async def test_the_x_reading_adds_up_since_the_last_z(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    await _sell("T-1")

    answer = await client.get("/api/v1/sales/journal/x", headers=await auth_headers())

    assert answer.status_code == 200, answer.text
    assert answer.json()["totals"]["total_incl_vat_cents"] == 6000
    assert answer.json()["first_sequence"] == 1


async def test_start_up_is_journaled_and_finds_deleted_latest_records() -> None:
    await _sell("T-1")
    await journal.record_startup()
    async with unit_of_work() as session:
        await session.execute(text("SET LOCAL session_replication_role = replica"))
        await session.execute(text("DELETE FROM journal_records WHERE chain = 'sales'"))
    await journal.record_startup()

    assert await _jet_kinds() == ["startup", "head_mismatch", "startup"]


async def test_a_setting_changed_since_the_last_start_is_a_technical_event(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await journal.record_startup()
    settings_changed(monkeypatch, JOURNAL_AUTO_CLOSE_HOUR="21")
    await journal.record_startup()

    assert await _jet_kinds() == ["startup", "configuration_changed", "startup"]
    async with unit_of_work() as session:
        query = "SELECT payload FROM journal_records WHERE kind = 'configuration_changed'"
        payload = await session.scalar(text(query))
    assert payload["details"] == {"auto_close_hour": "23 -> 21"}


async def test_the_beat_task_closes_the_day_left_open_at_the_set_hour() -> None:
    clock.pin(DAY)
    await _sell("T-1")
    clock.pin(DAY.replace(hour=21, minute=30))  # 22:30 in Paris
    early = await close_due_periods()
    clock.pin(DAY.replace(hour=22, minute=5))  # 23:05, JOURNAL_AUTO_CLOSE_HOUR is 23

    assert (early, await close_due_periods()) == (0, 1)
    async with unit_of_work() as session:
        x = await journal.x_report(session)
    assert x.totals.ticket_count == 0


async def test_a_deactivated_staff_account_is_a_technical_event() -> None:
    async with unit_of_work() as session:
        await outbox.enqueue(
            session, TOPIC_STAFF_DEACTIVATED, {"user_id": uuid.uuid4(), "at": utcnow()}
        )
    await deliver_messages()

    assert await _jet_kinds() == ["user_changed"]
