"""GDPR: export everything held about a client, erase it on request, and flag records with
no activity for three years (CNIL's limit for marketing data)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import public as auth
from app.bookings import public as bookings
from app.clients import repository, service
from app.clients.errors import ClientAlreadyErased
from app.clients.models import Client, ClientConsent, ClientHealthNote, ClientNote
from app.core.clock import utcnow
from app.core.db import json_safe
from app.core.timeutils import in_salon_zone
from app.giftcards import public as giftcards
from app.notifications import public as notifications
from app.payments import public as payments

RETENTION = timedelta(days=3 * 365)
ERASED_NAME = "Anonyme"


async def export(session: AsyncSession, client_id: UUID, *, actor_user_id: UUID) -> dict[str, Any]:
    """Machine-readable JSON of everything the salon holds about the client."""
    client = await service.get_client(session, client_id)
    health = (
        await session.scalars(
            select(ClientHealthNote).where(ClientHealthNote.client_id == client_id)
        )
    ).all()
    document = {
        "client": {
            c.key: getattr(client, c.key)
            for c in Client.__table__.c
            if c.key not in {"search_text", "phone_digits"}
        },
        "account": await auth.account_export(session, client.user_id) if client.user_id else None,
        "notes": [
            {"body": n.body, "created_at": n.created_at}
            for n in await service.notes(session, client_id)
        ],
        "health_notes": [
            {"kind": h.kind, "body": h.body, "created_at": h.created_at} for h in health
        ],
        "consents": [
            {"channel": c.channel, "granted": c.granted, "source": c.source, "at": c.at}
            for c in await service.consent_ledger(session, client_id)
        ],
        "bookings": await bookings.export_client_bookings(session, client_id),
        "payments": await payments.export_client_payments(session, client_id),
        "gift_cards": await giftcards.export_client_gift_cards(session, client_id, client.email),
        "messages": await notifications.export_client_messages(session, client_id),
        "exported_at": utcnow(),
    }
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
    """Erase the client's personal data. Bookings stay as anonymous statistics; payments and
    invoices (which the law keeps ten years) keep their amounts and lose the person."""
    client = await service.get_client(session, client_id, lock=True)
    if client.anonymized_at is not None:
        raise ClientAlreadyErased()
    for model in (ClientNote, ClientHealthNote, ClientConsent):
        await session.execute(delete(model).where(model.client_id == client_id))
    await bookings.anonymize_client_bookings(session, client_id)
    await payments.anonymize_client_payments(session, client_id)
    await giftcards.anonymize_client_gift_cards(session, client_id, client.email)
    await notifications.anonymize_client_messages(
        session, client_id, [a for a in (client.email, client.phone) if a]
    )
    user_id = client.user_id
    client.first_name, client.last_name = ERASED_NAME, ""
    client.email = client.phone = client.address = client.acquisition_source = None
    client.birthday = client.preferred_practitioner_id = client.user_id = None
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
        data={"requested_by": "client" if by_herself else "staff"},
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
