"""Periodic work of the clients domain."""

from __future__ import annotations

from app.clients import gdpr
from app.core.db import unit_of_work


async def flag_inactive_clients() -> int:
    """Flag, for review, clients with no activity for three years (CNIL); returns how many."""
    async with unit_of_work() as session:
        return await gdpr.flag_inactive(session)
