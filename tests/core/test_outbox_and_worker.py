from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock, outbox
from app.core.db import unit_of_work
from app.core.idempotency import IdempotencyKey
from app.core.outbox import OutboxEvent
from app.worker import celery_app

attempts: list[dict[str, Any]] = []


class Flaky(outbox.Payload):
    fail: bool
    token: str | None = None


FLAKY = outbox.Topic("test.flaky", Flaky)


@outbox.handles(FLAKY, name="tests.flaky")
async def _flaky(_: AsyncSession, payload: Flaky) -> None:
    attempts.append(payload.model_dump(exclude_none=True))
    if payload.fail:
        raise ConnectionError("provider down")


async def _enqueue(payload: dict[str, Any]) -> None:
    async with unit_of_work() as session:
        await outbox.enqueue(session, FLAKY, payload)


async def test_an_event_rolled_back_with_its_transaction_is_never_sent(
    session: AsyncSession,
) -> None:
    try:
        async with unit_of_work() as tx:
            await outbox.enqueue(tx, FLAKY, {"fail": False})
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    assert await outbox.dispatch_due() == 0


async def test_a_failing_event_is_retried_with_backoff_then_marked_failed(
    session: AsyncSession,
) -> None:
    attempts.clear()
    await _enqueue({"fail": True})

    for _ in range(outbox.MAX_ATTEMPTS):
        await outbox.dispatch_due()
        clock.travel(timedelta(hours=7))

    event = await session.scalar(select(OutboxEvent))
    assert event is not None
    assert len(attempts) == outbox.MAX_ATTEMPTS
    assert event.status == "failed"
    assert event.last_error == "ConnectionError: provider down"


async def test_a_failed_attempt_waits_before_the_next_one(session: AsyncSession) -> None:
    attempts.clear()
    await _enqueue({"fail": True})
    await outbox.dispatch_due()
    await outbox.dispatch_due()  # not due yet
    assert len(attempts) == 1


@pytest.mark.commits  # the eager task runs its own event loop, on its own connection
async def test_celery_runs_eagerly_without_a_broker_and_purges_expired_keys(
    session: AsyncSession,
) -> None:
    now = clock.utcnow()
    async with unit_of_work() as tx:
        for key, expires in (
            ("old", now - timedelta(hours=1)),
            ("fresh", now + timedelta(hours=1)),
        ):
            tx.add(
                IdempotencyKey(
                    scope="s", key=key, request_hash="h", created_at=now, expires_at=expires
                )
            )

    result = celery_app.tasks["core.purge_expired"].apply().get()

    assert result["idempotency_keys"] == 1
    assert [k.key for k in await session.scalars(select(IdempotencyKey))] == ["fresh"]


def test_the_beat_schedule_is_declared_in_code() -> None:
    tasks = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert {"core.dispatch_outbox", "core.purge_expired"} <= tasks
    assert set(tasks) <= set(celery_app.tasks)


async def test_a_sealed_secret_reaches_the_handler_and_never_sits_readable_in_the_row(
    session: AsyncSession,
) -> None:
    attempts.clear()
    async with unit_of_work() as tx:
        await outbox.enqueue(tx, FLAKY, {"fail": False}, sealed={"token": "s3cr3t-T0ken"})
    waiting = await session.scalar(select(OutboxEvent.payload))
    await session.commit()

    assert await outbox.dispatch_due() == 1
    handled = await session.scalar(select(OutboxEvent.payload))

    assert attempts == [{"fail": False, "token": "s3cr3t-T0ken"}]
    assert waiting is not None
    assert "s3cr3t-T0ken" not in str(waiting)
    assert handled == {"fail": False}  # handled: the sealed copy is gone too


async def test_a_secret_in_a_plain_payload_is_refused() -> None:
    async with unit_of_work() as tx:
        with pytest.raises(ValueError, match="sealed="):
            await outbox.enqueue(tx, FLAKY, {"reset_token": "abc"})
