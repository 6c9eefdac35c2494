"""Periodic clean-up of what the auth domain leaves behind."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_

from app.auth.models import OneTimeToken, RefreshToken
from app.core import jobs
from app.core.clock import utcnow
from app.core.db import unit_of_work

# Revoked or rotated refresh tokens are kept a while: reuse detection needs them.
KEEP_USED_TOKENS = timedelta(days=7)


@jobs.purges("tokens")
async def purge_expired_tokens() -> int:
    """Delete expired refresh and one-time tokens; returns how many rows went."""
    now = utcnow()
    async with unit_of_work() as session:
        refresh = await session.execute(
            delete(RefreshToken).where(
                or_(
                    RefreshToken.expires_at <= now,
                    RefreshToken.revoked_at <= now - KEEP_USED_TOKENS,
                )
            )
        )
        one_time = await session.execute(
            delete(OneTimeToken).where(OneTimeToken.expires_at <= now - KEEP_USED_TOKENS)
        )
    return int(getattr(refresh, "rowcount", 0) or 0) + int(getattr(one_time, "rowcount", 0) or 0)
