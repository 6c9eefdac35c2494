"""Each practitioner's private iCalendar feed. The link carries an opaque token of which only
the SHA-256 is stored: one live token per practitioner, replaced on rotation, revoked when
she or her staff account is deactivated (and refused at once, before that event is handled).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import repository
from app.bookings.errors import CalendarFeedRevoked, InvalidCalendarFeed
from app.bookings.models import CalendarFeedToken
from app.core.clock import utcnow
from app.core.security import new_token, token_digest
from app.core.urls import api_url
from app.practitioners import public as practitioners


def feed_url(practitioner_id: UUID, token: str) -> str:
    """The feed's absolute address (`APP_PUBLIC_URL`): a phone's calendar cannot resolve a
    relative one."""
    return api_url(
        "api", "v1", "calendar", "feeds", f"{practitioner_id}.ics", query={"token": token}
    )


async def live_token(session: AsyncSession, practitioner_id: UUID) -> CalendarFeedToken | None:
    row = await session.get(CalendarFeedToken, practitioner_id)
    return row if row is not None and row.revoked_at is None else None


async def rotate(session: AsyncSession, practitioner_id: UUID) -> tuple[str, datetime]:
    """A new token for her feed; the previous one stops working at once. Returns the token
    (shown this once) and when it was issued."""
    token, now = new_token(), utcnow()
    await repository.upsert_feed_token(
        session, practitioner_id, token_hash=token_digest(token), issued_at=now
    )
    return token, now


@dataclass(frozen=True, slots=True)
class FeedLink:
    url: str | None  # only when the link is made: its token is kept as a digest
    issued_at: datetime


async def feed_link(session: AsyncSession, practitioner_id: UUID) -> FeedLink:
    """Her link: made on the first call; later calls say when the live one was issued."""
    live = await live_token(session, practitioner_id)
    if live is not None:
        return FeedLink(None, live.issued_at)
    return await new_feed_link(session, practitioner_id)


async def new_feed_link(session: AsyncSession, practitioner_id: UUID) -> FeedLink:
    """A new link; the previous one stops working at once."""
    token, issued_at = await rotate(session, practitioner_id)
    return FeedLink(feed_url(practitioner_id, token), issued_at)


async def check(session: AsyncSession, practitioner_id: UUID, token: str) -> None:
    """Let the feed through only for her current token while she and her account are active."""
    row = await session.get(CalendarFeedToken, practitioner_id)
    if row is None or not hmac.compare_digest(row.token_hash, token_digest(token)):
        raise InvalidCalendarFeed()
    if row.revoked_at is not None or not await practitioners.is_active_staff(
        session, practitioner_id
    ):
        raise CalendarFeedRevoked()


async def revoke(session: AsyncSession, practitioner_id: UUID, *, at: datetime) -> None:
    """End her token if it was issued before `at` (one issued since is a new decision)."""
    await repository.revoke_feed_token(session, practitioner_id, at=at)
