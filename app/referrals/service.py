"""Referral codes and links, the monthly limit, and the salon's figures."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.timeutils import local_midnight, zone
from app.referrals import repository
from app.referrals.errors import UnknownReferralCode
from app.referrals.models import Referral, ReferralCode, ReferralStatus

# No 0/O, 1/I/L: read aloud or copied from a screen, a code must not be mistyped.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
SUFFIX_LENGTH = 4
NAME_LENGTH = 12
FALLBACK_NAME = "AMIE"


def normalize(code: str) -> str:
    """What the client typed, as stored: « camille 7k3p » is `CAMILLE-7K3P`."""
    parts = re.findall(r"[A-Z0-9]+", _ascii(code).upper())
    return "-".join(parts)


def _ascii(value: str) -> str:
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()


def new_code(first_name: str) -> str:
    """`CAMILLE-7K3P`: her first name (letters only, no accent) and 4 unambiguous signs."""
    name = "".join(re.findall(r"[A-Z]", _ascii(first_name).upper()))[:NAME_LENGTH]
    suffix = "".join(secrets.choice(ALPHABET) for _ in range(SUFFIX_LENGTH))
    return f"{name or FALLBACK_NAME}-{suffix}"


def link_of(code: str) -> str:
    """Where a friend lands: the site's booking page, the code filled in."""
    return f"{get_settings().salon.public_url.rstrip('/')}/reservation?parrainage={code}"


async def code_for(session: AsyncSession, client_id: UUID, first_name: str) -> ReferralCode:
    """The client's code, made the first time it is asked for. Two requests at once, or a
    clash with another client's code (31^4 per first name), never make a second one."""
    while (found := await repository.primary_code(session, client_id)) is None:
        await session.execute(
            insert(ReferralCode)
            .values(code=new_code(first_name), client_id=client_id, created_at=utcnow())
            .on_conflict_do_nothing()
        )
    return found


async def referrer_of(session: AsyncSession, code: str) -> ReferralCode:
    row = await repository.code_row(session, normalize(code))
    if row is None:
        raise UnknownReferralCode()
    return row


def month_start(at: datetime) -> datetime:
    local = at.astimezone(zone())
    return local_midnight(local.date().replace(day=1), zone())


async def rewarded_this_month(session: AsyncSession, referrer_id: UUID, at: datetime) -> int:
    """Rewards she earned since the start of the calendar month (salon time), taken back or
    not: a reward given then reversed still used a place."""
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Referral)
            .where(
                Referral.referrer_client_id == referrer_id,
                Referral.rewarded_at >= month_start(at),
            )
        )
        or 0
    )


def count(condition: ColumnElement[bool] | None = None) -> ColumnElement[int]:
    return func.count() if condition is None else func.count().filter(condition)


@dataclass(frozen=True, slots=True)
class Funnel:
    signed_up: int
    refused_at_claim: int
    booked: int
    paid: int
    rewarded: int
    refused: int
    reversed: int
    welcome_codes: int
    welcome_value_cents: int
    rewards: int
    rewards_value_cents: int
    rewards_lost: int
    revenue_cents: int


async def funnel(session: AsyncSession, date_from: date | None, date_to: date | None) -> Funnel:
    """The friends who came with a code between the two salon dates (both included), and
    what became of them since."""
    where: list[ColumnElement[bool]] = [Referral.merged.is_(False)]
    if date_from is not None:
        where.append(Referral.signed_up_at >= local_midnight(date_from, zone()))
    if date_to is not None:
        where.append(Referral.signed_up_at < local_midnight(date_to + timedelta(days=1), zone()))
    refused = Referral.status == ReferralStatus.refused
    at_claim = refused & Referral.paid_at.is_(None)
    rewarded = Referral.rewarded_at.is_not(None)
    booked = Referral.booked_at.is_not(None) | Referral.paid_at.is_not(None)

    row = (
        await session.execute(
            select(
                count(),
                count(at_claim),
                count(booked & ~at_claim),
                count(Referral.paid_at.is_not(None)),
                count(rewarded),
                count(refused),
                count(Referral.status == ReferralStatus.reversed),
                count(Referral.welcome_coupon_id.is_not(None)),
                func.coalesce(func.sum(Referral.welcome_value_cents), 0),
                func.coalesce(func.sum(Referral.reward_value_cents).filter(rewarded), 0),
                count(Referral.reward_lost.is_(True)),
                func.coalesce(func.sum(Referral.revenue_cents).filter(~refused), 0),
            ).where(*where)
        )
    ).one()
    values = [int(v or 0) for v in row]
    return Funnel(
        signed_up=values[0],
        refused_at_claim=values[1],
        booked=values[2],
        paid=values[3],
        rewarded=values[4],
        refused=values[5],
        reversed=values[6],
        welcome_codes=values[7],
        welcome_value_cents=values[8],
        rewards=values[4],
        rewards_value_cents=values[9],
        rewards_lost=values[10],
        revenue_cents=values[11],
    )
