"""Likely duplicates, and merging two records into one."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.auth.public import record_audit
from app.clients import service
from app.clients.client_data import declared
from app.clients.errors import ClientAlreadyErased, MergeSameClient
from app.clients.models import Client
from app.clients.schemas import ClientSearchHit, DuplicatePair
from app.core.clock import utcnow

NAME_SIMILARITY = 0.6
_FILLABLE = (
    "email",
    "phone",
    "birthday",
    "address",
    "preferred_practitioner_id",
    "acquisition_source",
    "company_name",
    "siren",
    "siret",
    "vat_number",
)


def _hit(client: Client, score: float) -> ClientSearchHit:
    return ClientSearchHit(
        id=client.id,
        first_name=client.first_name,
        last_name=client.last_name,
        email=client.email,
        phone=client.phone,
        score=round(score, 3),
    )


async def find_duplicates(session: AsyncSession, *, limit: int = 50) -> list[DuplicatePair]:
    """Pairs of live records with the same phone, or names that look alike."""
    first, second = aliased(Client), aliased(Client)
    live = (first.anonymized_at.is_(None), second.anonymized_at.is_(None), first.id < second.id)
    pairs: list[DuplicatePair] = []
    same_phone = await session.execute(
        select(first, second).where(*live, first.phone == second.phone).limit(limit)
    )
    pairs += [
        DuplicatePair(first=_hit(a, 1), second=_hit(b, 1), reason="same_phone")
        for a, b in same_phone
    ]
    await session.execute(
        text("SELECT set_config('pg_trgm.similarity_threshold', :t, true)"),
        {"t": str(NAME_SIMILARITY)},
    )
    name_a = func.salon_fold(first.first_name + " " + first.last_name)
    name_b = func.salon_fold(second.first_name + " " + second.last_name)
    similar = await session.execute(
        select(first, second, func.similarity(name_a, name_b))
        .where(*live, name_a.op("%")(name_b), ~(first.phone == second.phone).is_(True))
        .order_by(func.similarity(name_a, name_b).desc())
        .limit(limit)
    )
    pairs += [
        DuplicatePair(first=_hit(a, s), second=_hit(b, s), reason="similar_name")
        for a, b, s in similar
    ]
    return pairs[:limit]


async def merge(
    session: AsyncSession, *, source_id: UUID, target_id: UUID, actor_user_id: UUID
) -> Client:
    """Move everything that points to `source` to `target`, fill the target's empty fields
    from the source, then delete the source."""
    if source_id == target_id:
        raise MergeSameClient()
    source = await service.get_client(session, source_id, lock=True)
    target = await service.get_client(session, target_id, lock=True)
    if source.anonymized_at or target.anonymized_at:
        raise ClientAlreadyErased()
    moved: dict[str, Any] = {}
    for data in declared():  # every domain's rows that point at a client (client_data.py)
        moved |= await data.merge(session, source_id, target_id) or {}
    taken = {key: getattr(source, key) for key in _FILLABLE if getattr(target, key) is None}
    account = source.user_id if target.user_id is None else None
    target.tags = sorted(set(target.tags or ()) | set(source.tags or ()))
    await session.delete(source)
    await session.flush()  # frees the source's unique e-mail and account before we take them
    for key, value in taken.items():
        setattr(target, key, value)
    if account is not None:
        target.user_id = account
    target.updated_at = utcnow()
    await record_audit(
        session,
        "client.merged",
        actor_user_id=actor_user_id,
        subject_type="client",
        subject_id=target_id,
        data={"merged_client_id": source_id} | moved,
    )
    return target
