"""Periodic clean-up of what the auth domain leaves behind."""

from __future__ import annotations

from datetime import timedelta

from app.auth import repository
from app.core import jobs
from app.core.clock import utcnow
from app.core.db import unit_of_work

# Revoked or rotated refresh tokens are kept a while: reuse detection needs them.
KEEP_USED_TOKENS = timedelta(days=7)


@jobs.purges("tokens")
async def purge_expired_tokens() -> int:
    """Delete expired refresh and one-time tokens; returns how many rows went."""
    async with unit_of_work() as session:
        return await repository.purge_tokens(session, now=utcnow(), keep_used=KEEP_USED_TOKENS)
