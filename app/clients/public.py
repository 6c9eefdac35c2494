"""What other domains may use from clients."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import public as auth
from app.clients import merge, repository
from app.clients.client_data import ClientIdentity as ClientIdentity
from app.clients.client_data import declare_client_data as declare_client_data
from app.clients.client_data import declared_client_references as declared_client_references
from app.clients.client_data import reassign as reassign
from app.clients.errors import ClientNotFound as ClientNotFound  # re-exported: routers name it
from app.clients.errors import InvalidPhone
from app.clients.errors import NoClientRecord as NoClientRecord  # for the /me routes of others
from app.clients.models import Client, ClientConsent
from app.clients.phone import to_e164 as to_e164  # re-exported: the abuse limits count phones
from app.core.clock import utcnow
from app.core.ids import new_id

__all__ = [
    "BillingDetails",
    "ClientIdentity",
    "ClientNotFound",
    "ClientRef",
    "NoClientRecord",
    "billing_details",
    "born_on",
    "client_for_user",
    "clients_with_phone",
    "current_consents",
    "declare_client_data",
    "declared_client_references",
    "find_or_create",
    "get_client",
    "get_clients",
    "link_account",
    "reassign",
    "record_for_new_account",
    "withdraw_consent",
]


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
    """The client and where to reach her. A record whose account has not verified its
    address yet holds no e-mail (nothing may be matched to it by one), but her messages
    still go to the address she signed up with."""
    client = await session.get(Client, client_id)
    if client is None:
        raise ClientNotFound()
    ref = _ref(client)
    if client.email is None and client.user_id is not None:
        account = await auth.get_user_ref(session, client.user_id)
        if account is not None:
            ref = replace(ref, email=account.email)
    return ref


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
) -> ClientRef:
    """The client with this e-mail (or, without one, this phone), created if new.

    Details sent by the public site never overwrite an existing record (staff review them),
    and no record is ever linked to an account here: that takes a verified e-mail
    (`link_account`). A phone alone is nobody's proof: it only finds a record no account can
    see, one with no account and no e-mail (a phone typed on `PATCH /me` or on a booking form
    would otherwise hand that phone's bookings to whoever typed it).
    """
    e164 = to_e164(phone) if phone else None
    if phone and e164 is None:
        raise InvalidPhone(f"{phone!r} is not a valid phone number.")
    email = email.lower() if email else None
    client = await _matching(session, email, e164)
    if client is None:
        now = utcnow()
        client = Client(
            id=new_id(),
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=e164,
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


async def _matching(session: AsyncSession, email: str | None, e164: str | None) -> Client | None:
    if email:
        return await session.scalar(select(Client).where(Client.email == email))
    if e164:
        return await session.scalar(
            select(Client)
            .where(Client.phone == e164, Client.email.is_(None), Client.user_id.is_(None))
            .order_by(Client.created_at)
            .limit(1)
        )
    return None


async def matching_client(
    session: AsyncSession, *, email: str | None, phone: str | None
) -> UUID | None:
    """The record `find_or_create` would file these details under, if one exists."""
    e164 = to_e164(phone) if phone else None
    found = await _matching(session, email.lower() if email else None, e164)
    return found.id if found else None


async def born_on(session: AsyncSession, day: date) -> list[UUID]:
    """The clients (not erased) whose birthday is `day`; on 28 February of a year without a
    29th, those born on the 29th too."""
    days = [(day.month, day.day)]
    if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
        days.append((2, 29))
    return await repository.born_on(session, days)


async def get_clients(session: AsyncSession, ids: set[UUID]) -> dict[UUID, ClientRef]:
    if not ids:
        return {}
    rows = await session.scalars(select(Client).where(Client.id.in_(ids)))
    return {client.id: _ref(client) for client in rows}


async def record_for_new_account(
    session: AsyncSession, *, user_id: UUID, first_name: str, last_name: str
) -> None:
    """At sign-up: a record of the account's own, without the e-mail she typed. What she
    books from her account goes there; nothing is matched to it by e-mail or phone, so an
    address nobody has proven reaches nobody's bookings, cards or messages."""
    _add_record(session, user_id=user_id, first_name=first_name, last_name=last_name)
    await session.flush()


async def link_account(
    session: AsyncSession, *, user_id: UUID, email: str, first_name: str, last_name: str
) -> None:
    """Once the account's e-mail is verified: the record with that e-mail becomes hers, with
    what her account's own record held merged into it; without one, her own record takes the
    e-mail (and is made if she has none)."""
    email = email.lower()
    own = await session.scalar(select(Client).where(Client.user_id == user_id).with_for_update())
    known = await session.scalar(select(Client).where(Client.email == email).with_for_update())
    if known is not None and known.anonymized_at is None and known.user_id in (None, user_id):
        if own is None:
            known.user_id = user_id
        elif own.id != known.id:
            await merge.merge(session, source_id=own.id, target_id=known.id, actor_user_id=user_id)
    elif known is None and own is not None and own.email is None:
        own.email, own.updated_at = email, utcnow()
    elif known is None and own is None:
        _add_record(
            session, user_id=user_id, first_name=first_name, last_name=last_name, email=email
        )


def _add_record(
    session: AsyncSession,
    *,
    user_id: UUID,
    first_name: str,
    last_name: str,
    email: str | None = None,
) -> None:
    now = utcnow()
    session.add(
        Client(
            id=new_id(),
            first_name=first_name,
            last_name=last_name,
            email=email,
            user_id=user_id,
            created_at=now,
            updated_at=now,
        )
    )


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


@dataclass(frozen=True, slots=True)
class BillingDetails:
    """Who an invoice is made out to: the client, and her company when she has one."""

    id: UUID
    name: str
    email: str | None
    address: str | None
    company_name: str | None
    siren: str | None
    siret: str | None
    vat_number: str | None

    @property
    def is_business(self) -> bool:
        return self.company_name is not None


async def billing_details(session: AsyncSession, client_id: UUID) -> BillingDetails:
    """The client as her invoices name her (ClientNotFound otherwise)."""
    client = await session.get(Client, client_id)
    if client is None:
        raise ClientNotFound()
    ref = await get_client(session, client_id)
    return BillingDetails(
        client.id,
        f"{client.first_name} {client.last_name}".strip(),
        ref.email,
        client.address,
        client.company_name,
        client.siren,
        client.siret,
        client.vat_number,
    )
