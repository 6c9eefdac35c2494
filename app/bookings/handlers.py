"""What bookings does when other domains publish: a deactivated practitioner or staff account
loses her calendar feed."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import public as auth
from app.bookings.feeds import revoke
from app.core import outbox
from app.practitioners import public as practitioners


@outbox.handles(
    practitioners.TOPIC_DEACTIVATED, name="bookings.revoke_feed_of_deactivated_practitioner"
)
async def on_practitioner_deactivated(
    session: AsyncSession, payload: practitioners.PractitionerDeactivated
) -> None:
    await revoke(session, payload.practitioner_id, at=payload.at)


@outbox.handles(auth.TOPIC_STAFF_DEACTIVATED, name="bookings.revoke_feed_of_deactivated_staff")
async def on_staff_deactivated(session: AsyncSession, payload: auth.StaffDeactivated) -> None:
    practitioner_id = await practitioners.practitioner_for_user(session, payload.user_id)
    if practitioner_id is not None:
        await revoke(session, practitioner_id, at=payload.at)
