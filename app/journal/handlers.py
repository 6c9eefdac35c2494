"""Technical events (JET) that other domains' outbox events bring."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import public as auth
from app.core import outbox
from app.journal.chain import record_event
from app.journal.payloads import EventKind


@outbox.handles(auth.TOPIC_STAFF_DEACTIVATED, name="journal.record_staff_deactivated")
async def on_staff_deactivated(session: AsyncSession, payload: auth.StaffDeactivated) -> None:
    details: dict[str, str | int | bool | None] = {
        "user_id": str(payload.user_id),
        "change": "staff_deactivated",
        "at": payload.at.isoformat(),
    }
    await record_event(session, EventKind.user_changed, details)
