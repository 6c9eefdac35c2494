"""GDPR: export everything held about a client, erase it on request, and flag records with
no activity for three years (CNIL's limit for marketing data)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import public as auth
from app.bookings import public as bookings
from app.clients import repository, service
from app.clients.client_data import ClientIdentity, declared
from app.clients.errors import ClientAlreadyErased
from app.clients.models import Client
from app.core.clock import utcnow
from app.core.db import json_safe
from app.core.timeutils import in_salon_zone

RETENTION = timedelta(days=3 * 365)
ERASED_NAME = "Anonyme"


async def _identity(session: AsyncSession, client: Client) -> ClientIdentity:
    unproven = None
    if client.email is None and client.user_id is not None:
        account = await auth.get_user_ref(session, client.user_id)
        unproven = account.email if account is not None else None
    return ClientIdentity(client.id, client.email, client.phone, unproven)


async def export(session: AsyncSession, client_id: UUID, *, actor_user_id: UUID) -> dict[str, Any]:
    """Machine-readable JSON of everything the salon holds about the client: her record, her
    account, and the sections every domain declares (app/clients/client_data.py)."""
    client = await service.get_client(session, client_id)
    document: dict[str, Any] = {
        "client": {
            c.key: getattr(client, c.key)
            for c in Client.__table__.c
            if c.key not in {"search_text", "phone_digits"}
        },
        "account": await auth.account_export(session, client.user_id) if client.user_id else None,
    }
    for data in declared():
        document |= await data.export(session, await _identity(session, client))
    document["exported_at"] = utcnow()
    await auth.record_audit(
        session,
        "client.exported",
        actor_user_id=actor_user_id,
        subject_type="client",
        subject_id=client_id,
    )
    # Exported like every answer of the API: instants in the salon's zone, with the offset.
    return json_safe(document, instant=in_salon_zone)  # type: ignore[no-any-return]


async def erase(session: AsyncSession, client_id: UUID, *, actor_user_id: UUID) -> Client:
    """Erase the client's personal data (docs/clients.md). Her future bookings are cancelled
    first, by the cancellation policy as if she had cancelled them (a deposit is refunded in
    time, kept late), which frees their time; past bookings stay as anonymous statistics;
    payments and invoices (which the law keeps ten years) keep their amounts and lose the
    person. Every domain's declared client data is erased the same way."""
    client = await service.get_client(session, client_id, lock=True)
    if client.anonymized_at is not None:
        raise ClientAlreadyErased()
    identity = await _identity(session, client)
    outcome: dict[str, Any] = {}
    for data in declared():
        outcome |= await data.erase(session, identity) or {}
    user_id = client.user_id
    client.first_name, client.last_name = ERASED_NAME, ""
    client.email = client.phone = client.address = client.acquisition_source = None
    client.birthday = client.preferred_practitioner_id = client.user_id = None
    client.company_name = client.siren = client.siret = client.vat_number = None
    client.tags = []
    client.anonymized_at = client.updated_at = utcnow()
    await session.flush()
    if user_id is not None:
        await auth.erase_account(session, user_id)
    # A client erasing herself: her account is gone, so the entry names no actor.
    by_herself = actor_user_id == user_id
    await auth.record_audit(
        session,
        "client.erased",
        actor_user_id=None if by_herself else actor_user_id,
        subject_type="client",
        subject_id=client_id,
        data={"requested_by": "client" if by_herself else "staff"} | outcome,
    )
    return client


async def flag_inactive(session: AsyncSession) -> int:
    """Flag for review the clients with no booking and no change for three years."""
    cutoff = utcnow() - RETENTION
    candidates = list(await session.scalars(repository.inactive_since(cutoff).limit(1000)))
    last = await bookings.last_booking_at(session, [c.id for c in candidates])
    flagged = 0
    for client in candidates:
        if last.get(client.id) is None or last[client.id] < cutoff:
            client.retention_review_at = utcnow()
            flagged += 1
    return flagged
