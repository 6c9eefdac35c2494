"""What other domains may use from promo codes: check a code against a basket, use it once
for an order, a booking or a plan (its limits hold under concurrent checkouts), and read the
use a subject got. DTOs only; the rules live in `service.py`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.coupons import repository, service
from app.coupons.errors import CouponRefused
from app.coupons.models import CouponRedemption, UseState
from app.coupons.service import Line, PersonalTerms

__all__ = [
    "CodeCheck",
    "CodeUse",
    "CouponRefused",
    "Line",
    "PersonalCode",
    "PersonalTerms",
    "check_code",
    "issue_personal_code",
    "personal_code",
    "personal_code_state",
    "settle",
    "use_code",
    "use_on",
    "withdraw_personal_code",
]


@dataclass(frozen=True, slots=True)
class CodeCheck:
    valid: bool
    code: str
    reason_code: str | None  # stable, for the till or the site to translate
    reason: str | None
    amount_cents: int
    discount_cents: int


@dataclass(frozen=True, slots=True)
class CodeUse:
    id: UUID
    coupon_id: UUID
    client_id: UUID | None
    subject_kind: str
    subject_id: UUID
    amount_before_cents: int
    discount_cents: int
    amount_after_cents: int
    state: str  # held, used or released


def _use(row: CouponRedemption) -> CodeUse:
    return CodeUse(
        id=row.id,
        coupon_id=row.coupon_id,
        client_id=row.client_id,
        subject_kind=row.subject_kind,
        subject_id=row.subject_id,
        amount_before_cents=row.amount_before_cents,
        discount_cents=row.discount_cents,
        amount_after_cents=row.amount_after_cents,
        state=row.state,
    )


async def check_code(
    session: AsyncSession, code: str, *, lines: list[Line], client_id: UUID | None
) -> CodeCheck:
    """Whether `code` applies to these lines for this client; nothing is used up."""
    verdict = await service.evaluate(session, code, lines=lines, client_id=client_id)
    return CodeCheck(
        valid=verdict.valid,
        code=service.normalize(code),
        reason_code=verdict.reason_code,
        reason=verdict.reason,
        amount_cents=verdict.amount_cents,
        discount_cents=verdict.discount_cents,
    )


async def use_code(
    session: AsyncSession,
    code: str,
    *,
    lines: list[Line],
    client_id: UUID | None,
    subject_kind: str,
    subject_id: UUID,
    actor_user_id: UUID | None,
    hold: bool = False,
) -> CodeUse:
    """Use `code` for a subject (once: the same subject again answers the same use), or raise
    `CouponRefused` with its `reason_code`. `hold`: counted against the code's limits but
    `held` until `settle` says the subject was paid for or abandoned."""
    row = await service.redeem(
        session,
        code,
        lines=lines,
        client_id=client_id,
        subject_kind=subject_kind,
        subject_id=subject_id,
        actor_user_id=actor_user_id,
        state=UseState.held if hold else UseState.used,
    )
    return _use(row)


async def settle(session: AsyncSession, subject_kind: str, subject_id: UUID, *, used: bool) -> None:
    """The subject of a held use was paid for (`used`) or abandoned (the use is released)."""
    state = UseState.used if used else UseState.released
    await service.settle_use(session, subject_kind, subject_id, state)


async def use_on(session: AsyncSession, subject_kind: str, subject_id: UUID) -> CodeUse | None:
    """The code used for a subject, if any."""
    row = await service.redemption_for(session, subject_kind=subject_kind, subject_id=subject_id)
    return None if row is None else _use(row)


@dataclass(frozen=True, slots=True)
class PersonalCode:
    coupon_id: UUID
    code: str  # to show to its owner; it is useless to anyone else
    client_id: UUID
    origin: str
    ends_at: datetime | None


async def issue_personal_code(
    session: AsyncSession, *, client_id: UUID, origin: str, prefix: str, terms: PersonalTerms
) -> PersonalCode:
    """A code only `client_id` may use, once, at the till or at booking checkout, like any
    promo code (the same eligibility, limits and locks). `origin`: the issuing domain."""
    coupon = await service.issue_personal(
        session, client_id=client_id, origin=origin, prefix=prefix, terms=terms
    )
    return PersonalCode(coupon.id, coupon.code, client_id, origin, coupon.ends_at)


async def personal_code(session: AsyncSession, coupon_id: UUID) -> PersonalCode:
    """A personal code as issued, to show to its owner (ValueError for any other code)."""
    coupon = await repository.get_coupon(session, coupon_id)
    if coupon is None or coupon.owner_client_id is None or coupon.origin is None:
        raise ValueError(f"{coupon_id} is not a personal code.")
    return PersonalCode(
        coupon.id, coupon.code, coupon.owner_client_id, coupon.origin, coupon.ends_at
    )


async def personal_code_state(session: AsyncSession, coupon_id: UUID) -> str:
    """`available`, `held`, `used`, `withdrawn` or `expired`."""
    coupon = await repository.get_coupon(session, coupon_id)
    if coupon is None or coupon.owner_client_id is None:
        raise ValueError(f"{coupon_id} is not a personal code.")
    return await service.personal_state(session, coupon)


async def withdraw_personal_code(session: AsyncSession, coupon_id: UUID) -> str:
    """Take back a personal code unless it is already used or held: answers `withdrawn`, or
    the state that kept it (`used`, `held`)."""
    return await service.withdraw_personal(session, coupon_id)
