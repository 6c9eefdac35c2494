"""What a friend may not share with her referrer, and whether she is new to the salon. Each
check answers a stable `RefusalReason`; docs/referrals.md states them for the salon."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import public as bookings
from app.clients import public as clients
from app.payments import public as payments
from app.referrals.models import RefusalReason

# Mailboxes that ignore dots in the local part (every provider we know ignores a `+tag`).
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}

# Words of a French postal address written several ways.
_ADDRESS_WORDS = {
    "bd": "boulevard",
    "bld": "boulevard",
    "boul": "boulevard",
    "av": "avenue",
    "ave": "avenue",
    "r": "rue",
    "pl": "place",
    "imp": "impasse",
    "all": "allee",
    "ch": "chemin",
    "rte": "route",
    "st": "saint",
    "ste": "sainte",
    "fbg": "faubourg",
    "bis": "b",
    "ter": "t",
}


def normalized_email(email: str | None) -> str | None:
    """One mailbox, one value: case ignored, a `+tag` dropped, and for Gmail the dots too
    (`Camille.Dupont+promo@googlemail.com` is `camilledupont@gmail.com`)."""
    if not email or "@" not in email:
        return None
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}" if local else None


def normalized_address(address: str | None) -> str | None:
    """Accents, case, punctuation and the usual abbreviations ignored: « 12, Bd  Saint-Michel »
    and « 12 boulevard saint michel » are one address."""
    if not address:
        return None
    plain = unicodedata.normalize("NFKD", address).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", plain)
    words = [_ADDRESS_WORDS.get(w, w) for w in words]
    return " ".join(words) or None


@dataclass(frozen=True, slots=True)
class Identity:
    client_id: UUID
    email: str | None
    phone: str | None
    address: str | None
    cards: frozenset[str]


async def identity(session: AsyncSession, client_id: UUID) -> Identity:
    ref = await clients.get_client(session, client_id)
    billing = await clients.billing_details(session, client_id)
    return Identity(
        client_id,
        normalized_email(ref.email),
        clients.to_e164(ref.phone) if ref.phone else None,
        normalized_address(billing.address),
        frozenset(await payments.card_fingerprints(session, client_id)),
    )


def shared(friend: Identity, referrer: Identity) -> RefusalReason | None:
    """The first detail the two records share, if any."""
    if friend.client_id == referrer.client_id:
        return RefusalReason.self_referral
    if friend.email is not None and friend.email == referrer.email:
        return RefusalReason.shared_email
    if friend.phone is not None and friend.phone == referrer.phone:
        return RefusalReason.shared_phone
    if friend.address is not None and friend.address == referrer.address:
        return RefusalReason.shared_address
    if friend.cards & referrer.cards:
        return RefusalReason.shared_card
    return None


async def is_existing_client(session: AsyncSession, client_id: UUID) -> bool:
    """A completed visit or a payment already: she is not a new client to bring in."""
    return await bookings.has_completed_visit(session, client_id) or await payments.paid_before(
        session, client_id
    )


async def refusal(
    session: AsyncSession, *, friend_id: UUID, referrer_id: UUID, at_claim: bool
) -> RefusalReason | None:
    """Why this referral earns nothing, or None. `at_claim`: also whether she was already a
    client (at the visit she is one, by definition)."""
    if friend_id == referrer_id:
        return RefusalReason.self_referral
    if at_claim and await is_existing_client(session, friend_id):
        return RefusalReason.already_client
    return shared(await identity(session, friend_id), await identity(session, referrer_id))
