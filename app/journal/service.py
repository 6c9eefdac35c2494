"""The journal's use cases that other domains and the entry points call."""

from __future__ import annotations

import logging
from datetime import date
from uuid import UUID

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.core.db import DatabaseNotConfigured, unit_of_work
from app.journal import closings, repository, signing
from app.journal.chain import RecordRef, append_to, lock_head, record_event, ref_of
from app.journal.errors import PayloadDoesNotFit
from app.journal.payloads import (
    PAYLOADS,
    SALE_KINDS,
    Chain,
    ClosingLevel,
    EventKind,
    Payload,
    RecordKind,
    TicketPayload,
)

logger = logging.getLogger(__name__)


def _check_fits(kind: RecordKind, payload: Payload) -> None:
    if not isinstance(payload, PAYLOADS[kind]):
        raise PayloadDoesNotFit(f"a {kind} takes a {PAYLOADS[kind].__name__}")
    if isinstance(payload, TicketPayload) and kind in SALE_KINDS:
        correction = kind is not RecordKind.ticket
        if correction and (payload.corrects is None or payload.total_incl_vat_cents > 0):
            raise PayloadDoesNotFit(f"a {kind} names the ticket it corrects, with minus amounts")
        if not correction and (payload.corrects is not None or payload.total_incl_vat_cents < 0):
            raise PayloadDoesNotFit("a ticket corrects nothing and is not negative")


async def append(
    session: AsyncSession,
    kind: RecordKind,
    payload: Payload,
    *,
    register_id: UUID | None,
    training: bool = False,
) -> RecordRef:
    """Append a signed record to the sales chain (the training chain when `training`), in the
    caller's transaction; the chain stays locked until it ends."""
    kind = RecordKind(kind)
    _check_fits(kind, payload)
    chain = Chain.training if training else Chain.sales
    record = await append_to(session, chain, kind, payload.model_dump(mode="json"), register_id)
    return ref_of(record)


async def close_day(session: AsyncSession, day: date) -> list[RecordRef]:
    """The Z of `day`, after the Z of every earlier day still open."""
    last_z = await repository.last_closing(session, ClosingLevel.day)
    after = last_z.payload["last_sequence"] if last_z is not None else 0
    made = []
    for open_day in await repository.open_dates(session, after, get_settings().salon.timezone):
        if open_day < day:
            made.append(await closings.close(session, ClosingLevel.day, open_day))
    made.append(await closings.close(session, ClosingLevel.day, day))
    return made


async def startup(session: AsyncSession) -> list[str]:
    """At the API's start: a JET event, and each head checked against the end of its chain
    (a mismatch, the sign of deleted latest records, is journaled too). Returns mismatches."""
    await lock_head(session, Chain.jet)
    heads = await repository.heads(session)
    mismatched = []
    for chain in (Chain.sales, Chain.training):
        last = await repository.last_record(session, chain)
        head = heads.get(chain)
        head_at = (head.sequence, head.signature) if head is not None else (0, "")
        last_at = (last.sequence, last.signature) if last is not None else (0, "")
        if head_at != last_at:
            mismatched.append(str(chain))
            details: dict[str, str | int | bool | None] = {
                "chain": str(chain),
                "head": head_at[0],
                "last": last_at[0],
            }
            await record_event(session, EventKind.head_mismatch, details)
    await _configuration(session)
    return mismatched


def _settings_in_force() -> dict[str, str | int | bool | None]:
    """The settings that change what the journal does, as the JET keeps them (no secret)."""
    settings = get_settings()
    return {
        "signing_key_id": signing.current_key_id(),
        "auto_close_hour": settings.journal.auto_close_hour,
        "timezone": settings.salon.timezone,
        "currency": settings.salon.currency,
        "salon": settings.salon.name,
    }


async def _configuration(session: AsyncSession) -> None:
    """The start-up event carries the settings in force; a change since the last start is a
    `configuration_changed` event of its own."""
    now = _settings_in_force()
    last = await repository.last_event(session, EventKind.startup)
    before = {k: v for k, v in last.payload["details"].items() if k in now} if last else None
    if before is not None and before != now:
        changed = {k: f"{before.get(k)} -> {v}" for k, v in now.items() if before.get(k) != v}
        await record_event(session, EventKind.configuration_changed, dict(changed))
    await record_event(session, EventKind.startup, {"version": "1", **now})


async def record_startup() -> None:
    """The API process's start in the JET; a journal that cannot be reached is logged, and
    does not stop the API (bookings still work; the till then refuses to append)."""
    try:
        async with unit_of_work() as session:
            mismatched = await startup(session)
    except (SQLAlchemyError, OSError, DatabaseNotConfigured):
        logger.exception("journal: the start-up event could not be recorded")
        return
    if mismatched:
        logger.error("journal: the head of %s does not match its chain", ", ".join(mismatched))
