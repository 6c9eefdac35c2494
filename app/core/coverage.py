"""The port between bookings and whatever can pay for a service in advance (a package's
sessions today, a membership's allowance next): "I can cover this service for this client".

A domain implements `Coverer` in its own folder and registers it here under its kind with
`@coverage.coverer("package", rank=10)`. Bookings asks the registry when a booking is made for
a known client (`reserve`), and tells it what became of the visit (`settle`), always in the
booking's transaction. Bookings never imports the coverer, and the coverer never reads
bookings' tables: what it needs is in `Ask` and `Outcome`.

The coverer keeps its own ledger under its own row lock (two bookings racing for the last
session: one is covered, the other is not), and decides by its own policy what a late
cancellation or a no-show does to what it reserved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypeVar
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession


class Outcome(StrEnum):
    """What became of a covered visit, as bookings knows it."""

    completed = "completed"  # done: the reserved session is used
    cancelled_in_time = "cancelled_in_time"  # cancelled before the notice period: given back
    cancelled_late = "cancelled_late"  # the client cancelled inside the notice period
    no_show = "no_show"
    released = "released"  # nobody's fault (a hold expired, the salon cancelled): given back


@dataclass(frozen=True, slots=True)
class Ask:
    """One service of a booking being made."""

    client_id: UUID
    booking_id: UUID
    service_id: UUID
    position: int  # the service's place in the booking
    start_at: datetime
    price_cents: int  # the catalog's price, what the coverer would pay


@dataclass(frozen=True, slots=True)
class Cover:
    """A service covered: by what (`kind`, the allowance's id) and how it reads to the client."""

    kind: str
    allowance_id: UUID
    label: str


class Coverer:
    """What a kind of allowance tells bookings. All calls run in the booking's transaction."""

    async def reserve(self, session: AsyncSession, ask: Ask) -> Cover | None:
        """Reserve one use for `ask` under the allowance's row lock, or None when nothing
        of this kind covers it (none left, expired, another service)."""
        raise NotImplementedError

    async def settle(self, session: AsyncSession, booking_id: UUID, outcome: Outcome) -> None:
        """The visit is over one way or another: use, give back or keep (by the policy) what
        was reserved for `booking_id`. Called once per change; a second call changes
        nothing."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class _Entry:
    rank: int
    coverer: Coverer


_coverers: dict[str, _Entry] = {}
C = TypeVar("C", bound=type[Coverer])


def register(kind: str, coverer: Coverer, *, rank: int = 100) -> None:
    """Declare, at import, the coverer of `kind`; a kind has one owner. Lower ranks are
    asked first (a membership's allowance before a package bought apart, say)."""
    known = _coverers.get(kind)
    if known is not None and type(known.coverer) is not type(coverer):
        raise RuntimeError(f"coverage kind {kind!r} is already declared by {known.coverer!r}")
    _coverers[kind] = _Entry(rank, coverer)


def coverer(kind: str, *, rank: int = 100) -> Callable[[C], C]:
    """Class decorator: `@coverage.coverer("package") class PackageCoverer(Coverer)`."""

    def declare(cls: C) -> C:
        register(kind, cls(), rank=rank)
        return cls

    return declare


def kinds() -> list[str]:
    """The declared kinds, in the order they are asked."""
    return [kind for kind, _ in sorted(_coverers.items(), key=lambda kv: (kv[1].rank, kv[0]))]


def get(kind: str) -> Coverer | None:
    found = _coverers.get(kind)
    return found.coverer if found else None


async def reserve(session: AsyncSession, ask: Ask) -> Cover | None:
    """The first coverer (by rank) that covers `ask` reserves it."""
    for kind in kinds():
        cover = await _coverers[kind].coverer.reserve(session, ask)
        if cover is not None:
            return cover
    return None


async def settle(
    session: AsyncSession, booking_id: UUID, outcome: Outcome, *, kinds_used: set[str]
) -> None:
    """Tell each coverer that covered part of the booking what became of it."""
    for kind in sorted(kinds_used):
        found = _coverers.get(kind)
        if found is not None:
            await found.coverer.settle(session, booking_id, outcome)
