"""Times in the salon's zone, settings changed for one test, the worker's outbox loop and a
row count: what tests of every domain use."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

PARIS = ZoneInfo("Europe/Paris")
WEEK = range(7)


def paris(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def hm(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def settings_changed(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    """Run this test with these environment settings (read again at once; conftest clears the
    settings cache after every test, once monkeypatch has put the environment back)."""
    from app.core.config import get_settings

    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


async def run_outbox() -> None:
    """What the worker does every minute: deliver what is due (refunds, messages)."""
    from app.core import outbox

    while await outbox.dispatch_due():
        pass


async def count(session: AsyncSession, model: type[Any], *where: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)
