"""Every query on the clients tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import Select, and_, extract, func, or_, select, text, true
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from app.clients.models import Client, ClientConsent, ClientNote

# Trigram word similarity above which a name counts as matching: low enough for one typo in
# a short name ("Helen" for "Hélène", "Dupomt" for "Dupont").
WORD_SIMILARITY = 0.45


def phone_patterns(query: str) -> list[str]:
    """Digit strings to look for in stored E.164 numbers: "+33 6 12" and "06 12" both mean
    "33612"."""
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) < 3:
        return []
    patterns = [digits]
    if digits.startswith("0"):
        patterns.append("33" + digits[1:])
    return patterns


async def search(
    session: AsyncSession, query: str, *, limit: int, within: Select[UUID] | None = None
) -> Sequence[tuple[Client, float]]:
    """Clients whose name or e-mail looks like `query` (accents and case ignored, small typos
    tolerated), or whose phone contains its digits; best matches first."""
    # The planner prices trigram operators like cheap comparisons and prefers reading the
    # whole table (700 ms on 100,000 clients) to the trigram indexes (under 50 ms). Both
    # settings last until the end of this transaction only.
    await session.execute(
        text(
            "SELECT set_config('pg_trgm.word_similarity_threshold', :t, true), "
            "set_config('enable_seqscan', 'off', true)"
        ),
        {"t": str(WORD_SIMILARITY)},
    )
    folded = func.salon_fold(query)
    score = func.word_similarity(folded, Client.search_text)
    phones = phone_patterns(query)
    if phones and sum(ch.isdigit() for ch in query) * 2 >= len(query.replace(" ", "")):
        # Mostly digits: a phone number, or part of one.
        match = or_(*(Client.phone_digits.contains(p) for p in phones))
    else:
        # Every word must appear, exactly or nearly (`%>`: word similarity above the
        # threshold), so "helene dupont" finds her among all the Hélènes and all the Duponts.
        words = [w for w in query.split() if len(w) >= 2] or [query]
        match = and_(
            *(
                or_(
                    Client.search_text.op("%>")(func.salon_fold(word)),
                    Client.search_text.contains(func.salon_fold(word)),
                )
                for word in words
            )
        )
    statement = (
        select(Client, score)
        .where(Client.anonymized_at.is_(None), match)
        .where(Client.id.in_(within) if within is not None else true())
        .order_by(score.desc(), Client.last_name, Client.id)
        .limit(limit)
    )
    return [(client, float(s or 0)) for client, s in (await session.execute(statement)).all()]


def clients_query(
    *,
    tag: str | None = None,
    birthday_month: int | None = None,
    retention_review: bool | None = None,
    include_erased: bool = False,
    activity: Select[UUID] | None = None,
    within: Select[UUID] | None = None,
) -> Select[Client]:
    """Clients matching the filters; `within` (ids) limits them to a practitioner's."""
    statement = select(Client)
    if within is not None:
        statement = statement.where(Client.id.in_(within))
    if activity is not None:
        statement = statement.where(Client.id.in_(activity))
    if not include_erased:
        statement = statement.where(Client.anonymized_at.is_(None))
    if tag is not None:
        statement = statement.where(Client.tags.contains([tag]))
    if birthday_month is not None:
        statement = statement.where(extract("month", Client.birthday) == birthday_month)
    if retention_review is not None:
        flagged = Client.retention_review_at.is_not(None)
        statement = statement.where(flagged if retention_review else ~flagged)
    return statement


async def consents(
    session: AsyncSession, client_ids: Sequence[UUID]
) -> dict[UUID, dict[str, bool]]:
    """The current consent of each client per channel: the latest ledger row wins."""
    latest = (
        select(ClientConsent.client_id, ClientConsent.channel, ClientConsent.granted)
        .where(ClientConsent.client_id.in_(client_ids))
        .ext(distinct_on(ClientConsent.client_id, ClientConsent.channel))
        .order_by(
            ClientConsent.client_id,
            ClientConsent.channel,
            ClientConsent.at.desc(),
            ClientConsent.id.desc(),
        )
    )
    state: dict[UUID, dict[str, bool]] = {cid: {} for cid in client_ids}
    for client_id, channel, granted in await session.execute(latest):
        state[client_id][channel] = granted
    return state


async def get_by_email(session: AsyncSession, email: str) -> Client | None:
    return await session.scalar(select(Client).where(Client.email == email.lower()))


async def get_by_phone(session: AsyncSession, phone: str) -> Client | None:
    return await session.scalar(
        select(Client).where(Client.phone == phone).order_by(Client.created_at).limit(1)
    )


async def note_bodies(session: AsyncSession, client_ids: list[UUID]) -> set[tuple[UUID, str]]:
    """(client, text) of the notes these clients already have."""
    rows = await session.execute(
        select(ClientNote.client_id, ClientNote.body).where(ClientNote.client_id.in_(client_ids))
    )
    return {(client_id, body) for client_id, body in rows}


def inactive_since(cutoff: datetime) -> Select[Client]:
    return select(Client).where(
        Client.anonymized_at.is_(None),
        Client.retention_review_at.is_(None),
        Client.updated_at < cutoff,
    )


async def born_on(session: AsyncSession, days: list[tuple[int, int]]) -> list[UUID]:
    """Clients not erased whose birthday falls on one of these (month, day)."""
    found = await session.scalars(
        select(Client.id)
        .where(
            Client.anonymized_at.is_(None),
            Client.birthday.is_not(None),
            or_(
                *(
                    and_(
                        extract("month", Client.birthday) == month,
                        extract("day", Client.birthday) == dom,
                    )
                    for month, dom in days
                )
            ),
        )
        .order_by(Client.id)
    )
    return list(found)
