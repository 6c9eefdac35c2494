"""The port between payments and whatever is paid for (a booking, a gift card, later an order
or a membership): what is due, and what happens when money for it arrives or goes back.

The owner of a kind of subject implements `Payable` in its own folder and registers it here,
under its subject kind, at import (`app/registry.py` imports every module). Payments asks
the registry, so it never imports the owner, and the owner never imports payments' internals:
a new subject plugs in without a line in payments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar, TypeVar
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import AppError

# What a payment pays for: (subject kind, its id), e.g. ("booking", booking.id).
Subject = tuple[str, UUID]


class UnknownSubjectKind(AppError):
    status, code, title = 422, "unknown_subject_kind", "Nothing of this kind can be paid for"


class SubjectNotPayable(AppError):
    status, code, title = 409, "subject_not_payable", "This cannot be paid now"


class Stage(StrEnum):
    awaiting_deposit = "awaiting_deposit"  # held until a deposit is paid (a booking's hold)
    open = "open"  # what is left may be paid, by any method
    closed = "closed"  # nothing more is taken (paid, cancelled, no-show…): see `Due.reason`


@dataclass(frozen=True, slots=True)
class Due:
    """What a subject costs and where it stands, as its owner sees it."""

    client_id: UUID | None
    total_cents: int
    stage: Stage
    description: str  # what the provider shows the payer (a statement line)
    status: str = ""  # the owner's word for where it stands ("cancelled"), for messages
    deposit_cents: int = 0  # asked before the subject is confirmed
    # Each practitioner's weight in a tip (the price of what she did); empty: no tips.
    practitioner_shares: dict[UUID, int] = field(default_factory=dict)
    no_show_fee_allowed: bool = False
    # False once what is left is owed by no one (a cancelled visit): the balance says 0 due.
    owes: bool = True
    # "arrhes" or "acompte": the law on a deposit when the subject is cancelled.
    deposit_terms: str | None = None


@dataclass(frozen=True, slots=True)
class Taken:
    """A payment for the subject just succeeded (in the transaction that recorded it)."""

    payment_id: UUID
    amount_cents: int  # what pays for the subject, tip excluded
    purpose: str  # deposit, balance, full, tip, no_show_fee
    method: str
    settled: bool  # nothing is due any more: this payment was the last one
    staff_user_id: UUID | None = None  # who took it at the desk


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the owner makes of a payment: keep it, or have it refunded automatically."""

    refund_reason: str | None = None
    event: str | None = None  # written in the payment's history ("booking_confirmed")

    @classmethod
    def keep(cls, event: str | None = None) -> Verdict:
        return cls(None, event)

    @classmethod
    def refund(cls, reason: str, event: str | None = None) -> Verdict:
        return cls(reason, event)


class Payable:
    """What a subject kind tells payments. `due` and `taken` are required; the refund rules
    default to "anything paid may go back, and the subject does not care"."""

    # Raised when money is offered while the stage does not take it.
    not_payable: ClassVar[type[AppError]] = SubjectNotPayable

    async def due(self, session: AsyncSession, subject_id: UUID, *, lock: bool = False) -> Due:
        raise NotImplementedError

    async def taken(self, session: AsyncSession, subject_id: UUID, taken: Taken) -> Verdict:
        raise NotImplementedError

    async def refundable(
        self, session: AsyncSession, subject_id: UUID, asked_cents: int | None
    ) -> int | None:
        """How much of a refund asked by staff may go back (None: all the payment allows);
        raise the owner's AppError to refuse."""
        return asked_cents

    async def refunded(
        self,
        session: AsyncSession,
        subject_id: UUID,
        *,
        payment_id: UUID,
        refund_id: UUID,
        amount_cents: int,
    ) -> None:
        """A refund of a payment for the subject went through (asked by staff, or made in a
        provider's dashboard and only learnt): follow it in the same transaction. Automatic
        refunds (a verdict, a cancellation, a deposit paid twice) are the rules' own and are
        neither checked nor followed."""


_payables: dict[str, Payable] = {}
P = TypeVar("P", bound=type[Payable])


def register(kind: str, payable: Payable) -> None:
    """Declare, at import, the payable of `kind`; a kind has one owner."""
    known = _payables.get(kind)
    if known is not None and type(known) is not type(payable):
        raise RuntimeError(f"subject kind {kind!r} is already paid through {known!r}")
    _payables[kind] = payable


def payable(kind: str) -> Callable[[P], P]:
    """Class decorator: `@payables.payable("booking") class BookingPayable(Payable)`."""

    def declare(cls: P) -> P:
        register(kind, cls())
        return cls

    return declare


def find(kind: str) -> Payable | None:
    return _payables.get(kind)


def get(kind: str) -> Payable:
    found = _payables.get(kind)
    if found is None:
        raise UnknownSubjectKind(
            f"Nothing of kind {kind!r} can be paid for.", extra={"subject_kind": kind}
        )
    return found


def kinds() -> frozenset[str]:
    return frozenset(_payables)
