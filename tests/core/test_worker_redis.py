"""A real Celery worker on the real Redis broker runs a task sent from the API process."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.db import unit_of_work
from app.core.idempotency import IdempotencyKey
from app.worker import celery_app

pytestmark = pytest.mark.commits  # the worker reads the rows on its own connection


@pytest.mark.usefixtures("requires_redis")
async def test_a_task_sent_through_redis_is_run_by_a_worker(session: AsyncSession) -> None:
    assert not celery_app.conf.task_always_eager
    now = clock.utcnow()
    async with unit_of_work() as tx:
        tx.add(
            IdempotencyKey(
                scope="s",
                key="old",
                request_hash="h",
                created_at=now,
                expires_at=now - timedelta(hours=1),
            )
        )

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        celery_app.tasks["core.purge_expired"].delay()
        for _ in range(100):
            left = await session.scalar(select(func.count()).select_from(IdempotencyKey))
            await session.rollback()
            if left == 0:
                break
            await asyncio.sleep(0.1)

    assert left == 0
