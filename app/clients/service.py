"""The client record: create, change, search, consents, notes, health notes, history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.public import Principal, record_audit
from app.bookings import public as bookings
from app.clients import repository
from app.clients.errors import ClientAlreadyErased, ClientNotFound, EmailAlreadyUsed, InvalidPhone
from app.clients.models import Client, ClientConsent, ClientHealthNote, ClientNote
from app.clients.phone import to_e164
from app.clients.schemas import (
    ClientFields,
    ClientHistory,
    ClientOut,
    ClientSearchHit,
    ConsentIn,
    ConsentState,
    HealthNoteIn,
    HistoryBooking,
)
from app.core.clock import utcnow
from app.core.db import flush_or_raise
from app.core.ids import new_id


async def get_client(session: AsyncSession, client_id: UUID, *, lock: bool = False) -> Client:
    statement = select(Client).where(Client.id == client_id)
    client = await session.scalar(statement.with_for_update() if lock else statement)
    if client is None:
        raise ClientNotFound()
    return client


async def to_out(session: AsyncSession, clients: Sequence[Client]) -> list[ClientOut]:
    consents = await repository.consents(session, [c.id for c in clients])
    return [
        ClientOut(
            id=c.id,
            first_name=c.first_name,
            last_name=c.last_name,
            email=c.email,
            phone=c.phone,
            birthday=c.birthday,
            address=c.address,
            preferred_practitioner_id=c.preferred_practitioner_id,
            tags=list(c.tags or ()),
            acquisition_source=c.acquisition_source,
            company_name=c.company_name,
            siren=c.siren,
            siret=c.siret,
            vat_number=c.vat_number,
            has_account=c.user_id is not None,
            consents=ConsentState(**consents[c.id]),
            anonymized=c.anonymized_at is not None,
            retention_review=c.retention_review_at is not None,
            created_at=c.created_at,
        )
        for c in clients
    ]


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    if fields.get("email"):
        fields["email"] = str(fields["email"]).lower()
    if fields.get("phone"):
        e164 = to_e164(fields["phone"])
        if e164 is None:
            raise InvalidPhone(f"{fields['phone']!r} is not a valid phone number.")
        fields["phone"] = e164
    if "tags" in fields:  # null clears them
        fields["tags"] = sorted({t.strip() for t in fields["tags"] or () if t.strip()})
    return fields


async def create_client(session: AsyncSession, data: ClientFields) -> Client:
    now = utcnow()
    fields = _clean(data.model_dump(exclude_none=True))
    client = Client(id=new_id(), created_at=now, updated_at=now, **fields)
    session.add(client)
    await flush_or_raise(session, EmailAlreadyUsed())
    return client


async def update_client(session: AsyncSession, client_id: UUID, data: ClientFields) -> Client:
    client = await get_client(session, client_id, lock=True)
    if client.anonymized_at is not None:
        raise ClientAlreadyErased()
    for key, value in _clean(data.model_dump(exclude_unset=True)).items():
        setattr(client, key, value)
    client.updated_at = utcnow()
    client.retention_review_at = None
    await flush_or_raise(session, EmailAlreadyUsed())
    return client


async def search(
    session: AsyncSession, query: str, *, limit: int = 20, within: Select[UUID] | None = None
) -> list[ClientSearchHit]:
    return [
        ClientSearchHit(
            id=c.id,
            first_name=c.first_name,
            last_name=c.last_name,
            email=c.email,
            phone=c.phone,
            score=round(score, 3),
        )
        for c, score in await repository.search(session, query, limit=limit, within=within)
    ]


async def record_consent(
    session: AsyncSession, client_id: UUID, data: ConsentIn, *, recorded_by: UUID | None
) -> ClientConsent:
    """Add to the ledger: consents are never edited, a withdrawal is a new row."""
    await get_client(session, client_id)
    consent = ClientConsent(
        id=new_id(),
        client_id=client_id,
        channel=data.channel,
        granted=data.granted,
        source=data.source,
        recorded_by_user_id=recorded_by,
        at=utcnow(),
    )
    session.add(consent)
    await session.flush()
    return consent


async def consent_ledger(session: AsyncSession, client_id: UUID) -> Sequence[ClientConsent]:
    return (
        await session.scalars(
            select(ClientConsent)
            .where(ClientConsent.client_id == client_id)
            .order_by(ClientConsent.at, ClientConsent.id)
        )
    ).all()


async def add_note(session: AsyncSession, client_id: UUID, body: str, author: UUID) -> ClientNote:
    await get_client(session, client_id)
    note = ClientNote(
        id=new_id(), client_id=client_id, author_user_id=author, body=body, created_at=utcnow()
    )
    session.add(note)
    return note


async def notes(session: AsyncSession, client_id: UUID) -> Sequence[ClientNote]:
    return (
        await session.scalars(
            select(ClientNote)
            .where(ClientNote.client_id == client_id)
            .order_by(ClientNote.created_at.desc())
        )
    ).all()


async def notes_query(session: AsyncSession, client_id: UUID) -> Select[ClientNote]:
    """Her notes, for the one pagination helper (404 when she does not exist)."""
    await get_client(session, client_id)
    return select(ClientNote).where(ClientNote.client_id == client_id)


async def add_health_note(
    session: AsyncSession, client_id: UUID, data: HealthNoteIn, author: Principal
) -> ClientHealthNote:
    await get_client(session, client_id)
    note = ClientHealthNote(
        id=new_id(),
        client_id=client_id,
        kind=data.kind,
        body=data.body,
        author_user_id=author.user_id,
        created_at=utcnow(),
    )
    session.add(note)
    await record_audit(
        session,
        "client.health_notes.written",
        actor_user_id=author.user_id,
        subject_type="client",
        subject_id=client_id,
    )
    return note


async def read_health_notes(
    session: AsyncSession, client_id: UUID, reader: Principal
) -> Sequence[ClientHealthNote]:
    """Health notes, with the read written to the audit log (sensitive data)."""
    await get_client(session, client_id)
    await record_audit(
        session,
        "client.health_notes.read",
        actor_user_id=reader.user_id,
        subject_type="client",
        subject_id=client_id,
    )
    return (
        await session.scalars(
            select(ClientHealthNote)
            .where(ClientHealthNote.client_id == client_id)
            .order_by(ClientHealthNote.created_at)
        )
    ).all()


async def history(session: AsyncSession, client_id: UUID) -> ClientHistory:
    await get_client(session, client_id)
    now = utcnow()
    summary = await bookings.client_history(session, client_id, now=now)
    return ClientHistory(
        upcoming=[HistoryBooking(**b) for b in summary.upcoming],
        past=[HistoryBooking(**b) for b in summary.past],
        visits=summary.visits,
        no_shows=summary.no_shows,
        cancellations=summary.cancellations,
        late_cancellations=summary.late_cancellations,
        first_visit=summary.first_visit,
        last_visit=summary.last_visit,
        visits_last_12_months=summary.visits_12_months,
        spent_last_12_months_cents=summary.spent_12_months_cents,
    )
