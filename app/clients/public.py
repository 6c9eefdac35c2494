"""What other domains may use from clients."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import repository
from app.clients.errors import ClientNotFound as ClientNotFound  # re-exported: routers name it
from app.clients.errors import InvalidPhone
from app.clients.models import Client, ClientConsent
from app.clients.phone import to_e164
from app.core.clock import utcnow
from app.core.ids import new_id


@dataclass(frozen=True, slots=True)
class ClientRef:
    id: UUID
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    user_id: UUID | None


def _ref(client: Client) -> ClientRef:
    return ClientRef(
        client.id, client.first_name, client.last_name, client.email, client.phone, client.user_id
    )


async def get_client(session: AsyncSession, client_id: UUID) -> ClientRef:
    client = await session.get(Client, client_id)
    if client is None:
        raise ClientNotFound()
    return _ref(client)


async def client_for_user(session: AsyncSession, user_id: UUID) -> ClientRef | None:
    client = await session.scalar(select(Client).where(Client.user_id == user_id))
    return _ref(client) if client else None


async def find_or_create(
    session: AsyncSession,
    *,
    first_name: str,
    last_name: str,
    email: str | None,
    phone: str | None,
    user_id: UUID | None = None,
) -> ClientRef:
    """The client with this e-mail (or, without one, this phone), created if new.

    Details sent by the public site never overwrite an existing record (staff review them),
    and an existing record is never linked to an account here: that takes a verified e-mail
    (`link_account`).
    """
    e164 = to_e164(phone) if phone else None
    if phone and e164 is None:
        raise InvalidPhone(f"{phone!r} is not a valid phone number.")
    email = email.lower() if email else None
    client = None
    if email:
        client = await session.scalar(select(Client).where(Client.email == email))
    if client is None and e164 and not email:
        client = await session.scalar(
            select(Client).where(Client.phone == e164).order_by(Client.created_at).limit(1)
        )
    if client is None:
        now = utcnow()
        client = Client(
            id=new_id(),
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=e164,
            user_id=user_id,
            created_at=now,
            updated_at=now,
        )
        try:
            async with session.begin_nested():
                session.add(client)
        except IntegrityError:  # the same e-mail, sent twice at once
            client = await session.scalar(select(Client).where(Client.email == email))
            if client is None:
                raise
    return _ref(client)


async def get_clients(session: AsyncSession, ids: set[UUID]) -> dict[UUID, ClientRef]:
    if not ids:
        return {}
    rows = await session.scalars(select(Client).where(Client.id.in_(ids)))
    return {client.id: _ref(client) for client in rows}


async def record_for_new_account(
    session: AsyncSession, *, user_id: UUID, email: str, first_name: str, last_name: str
) -> None:
    """At sign-up: a new client gets her record now; a known e-mail waits for verification,
    so nobody reaches someone else's record by signing up with her address."""
    if await session.scalar(select(Client.id).where(Client.email == email.lower())) is None:
        await find_or_create(
            session,
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=None,
            user_id=user_id,
        )


async def link_account(session: AsyncSession, *, user_id: UUID, email: str) -> None:
    """Once the account's e-mail is verified, link it to the client record with that e-mail."""
    client = await session.scalar(
        select(Client).where(Client.email == email.lower()).with_for_update()
    )
    if client is not None and client.user_id is None and client.anonymized_at is None:
        client.user_id = user_id


async def current_consents(session: AsyncSession, client_id: UUID) -> dict[str, bool]:
    """The client's consent per channel (`email_marketing`, `sms_marketing`, `photos`): the
    latest ledger row wins; no row means no consent."""
    return (await repository.consents(session, [client_id]))[client_id]


async def withdraw_consent(
    session: AsyncSession, client_id: UUID, channel: str, *, source: str
) -> None:
    """A withdrawal from outside the CRM (an unsubscribe link, an SMS STOP): a new ledger row."""
    session.add(
        ClientConsent(
            id=new_id(),
            client_id=client_id,
            channel=channel,
            granted=False,
            source=source,
            recorded_by_user_id=None,
            at=utcnow(),
        )
    )
    await session.flush()


async def clients_with_phone(session: AsyncSession, raw_phone: str) -> list[UUID]:
    """The clients with this number, in whatever format it comes."""
    phone = to_e164(raw_phone)
    if phone is None:
        return []
    return list(await session.scalars(select(Client.id).where(Client.phone == phone)))
