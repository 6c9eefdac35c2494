"""The membership's timeline (`subscription_events`), written once per dedupe key."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.db import json_safe
from app.core.ids import new_id
from app.subscriptions.models import SubscriptionEvent


async def record(
    session: AsyncSession,
    subscription_id: UUID,
    kind: str,
    detail: dict[str, Any] | None = None,
    *,
    dedupe_key: str | None = None,
    at: datetime | None = None,
) -> bool:
    """Add a step to the timeline; with a `dedupe_key` seen before, add nothing and answer
    False (two workers running the same step record it once)."""
    statement = insert(SubscriptionEvent).values(
        id=new_id(),
        subscription_id=subscription_id,
        at=at or utcnow(),
        kind=kind[:64],
        detail=json_safe(detail or {}),
        dedupe_key=dedupe_key,
    )
    if dedupe_key is None:
        await session.execute(statement)
        return True
    inserted = await session.scalar(
        statement.on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(
            SubscriptionEvent.id
        )
    )
    return inserted is not None
