"""What a payment bought, when it is not a booking (a gift card…): the domain that owns it
says how much of its purchase may go back, and follows every refund of it in the same
transaction. A refund asked here can be refused by that domain; one made at the provider
(its dashboard, learnt by webhook) has already happened and is only followed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

# (session, subject id, amount asked or None for "all that may go back") -> the amount to
# refund; raises the owner's AppError to refuse.
Check = Callable[[AsyncSession, UUID, int | None], Awaitable[int]]
# (session, subject id, payment id, refund id, amount) -> None
Follow = Callable[[AsyncSession, UUID, UUID, UUID, int], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RefundRules:
    check: Check
    follow: Follow


_rules: dict[str, RefundRules] = {}


def follow_refunds(subject_kind: str, *, check: Check, follow: Follow) -> None:
    """Declare, at import, what refunding a purchase of `subject_kind` does."""
    _rules[subject_kind] = RefundRules(check, follow)


def rules_for(subject_kind: str | None) -> RefundRules | None:
    return _rules.get(subject_kind or "")
