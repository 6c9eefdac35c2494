"""Appending to a chain: the one writer of `journal_records`.

The chain's head row is locked (`SELECT ... FOR UPDATE`) for the rest of the caller's
transaction, so two tills appending at once get consecutive sequences, each record signed
over its predecessor's signature: one valid chain, whatever the interleaving.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.ids import new_id
from app.journal import signing
from app.journal.models import Chain, JournalHead, JournalRecord
from app.journal.payloads import EventKind, EventPayload, Frozen


class RecordRef(Frozen):
    """What the caller keeps of an appended record (to print on a receipt, to cite)."""

    id: UUID
    chain: Chain
    sequence: int
    kind: str
    recorded_at: AwareDatetime
    signature: str
    training: bool = False


def ref_of(record: JournalRecord) -> RecordRef:
    return RecordRef(
        id=record.id,
        chain=Chain(record.chain),
        sequence=record.sequence,
        kind=record.kind,
        recorded_at=record.recorded_at,
        signature=record.signature,
        training=record.chain == Chain.training,
    )


async def lock_head(session: AsyncSession, chain: Chain) -> JournalHead:
    """The chain's head, locked until the transaction ends (created empty the first time)."""
    key_id = signing.current_key_id()
    empty = signing.head_signature(key_id, chain, 0, signing.GENESIS)
    await session.execute(
        insert(JournalHead)
        .values(
            chain=chain,
            sequence=0,
            signature=signing.GENESIS,
            key_id=key_id,
            head_signature=empty,
            updated_at=utcnow(),
        )
        .on_conflict_do_nothing()
    )
    query = (
        select(JournalHead)
        .where(JournalHead.chain == chain)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    head = (await session.execute(query)).scalar_one()
    if head.sequence > 0 and head.key_id != key_id:
        await _rotated(session, head, key_id)
    return head


async def _rotated(session: AsyncSession, head: JournalHead, key_id: str) -> None:
    """The first record under a new key: the rotation is itself a technical event."""
    details = {"chain": head.chain, "from_key": head.key_id, "to_key": key_id}
    payload = EventPayload(at=utcnow(), details=details).model_dump(mode="json")
    if head.chain == Chain.jet:
        append_locked(session, head, EventKind.key_rotated, payload, None)
    else:
        jet = await lock_head(session, Chain.jet)
        append_locked(session, jet, EventKind.key_rotated, payload, None)
    head.key_id = key_id


def append_locked(
    session: AsyncSession,
    head: JournalHead,
    kind: str,
    payload: dict[str, Any],
    register_id: UUID | None,
    *,
    at: datetime | None = None,
) -> JournalRecord:
    """Sign and add the next record after `head` (locked by `lock_head`), and move the head."""
    key_id = signing.current_key_id()
    fields: dict[str, Any] = {
        "chain": head.chain,
        "sequence": head.sequence + 1,
        "kind": str(kind),
        "register_id": register_id,
        "recorded_at": at or utcnow(),
        "schema_version": signing.SCHEMA_VERSION,
        "key_id": key_id,
        "payload": payload,
        "previous_signature": head.signature,
    }
    record = JournalRecord(id=new_id(), signature=signing.record_signature(fields), **fields)
    session.add(record)
    head.sequence, head.signature, head.key_id = record.sequence, record.signature, key_id
    head.head_signature = signing.head_signature(key_id, head.chain, head.sequence, head.signature)
    head.updated_at = record.recorded_at
    return record


async def append_to(
    session: AsyncSession,
    chain: Chain,
    kind: str,
    payload: dict[str, Any],
    register_id: UUID | None = None,
) -> JournalRecord:
    head = await lock_head(session, chain)
    record = append_locked(session, head, kind, payload, register_id)
    await session.flush()
    return record


async def record_event(
    session: AsyncSession,
    kind: EventKind,
    details: dict[str, str | int | bool | None] | None = None,
    *,
    actor_id: UUID | None = None,
) -> RecordRef:
    """Write a technical event (JET) in the caller's transaction."""
    payload = EventPayload(at=utcnow(), actor_id=actor_id, details=details or {})
    record = await append_to(session, Chain.jet, kind, payload.model_dump(mode="json"))
    return ref_of(record)
