"""Checking a code against what is being bought, and recording its use. The checks run again
under the coupon's row lock when it is used, so its limits hold under concurrent checkouts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.public import record_audit
from app.bookings import public as bookings
from app.clients import public as clients
from app.core.clock import utcnow
from app.core.db import flush_or_raise
from app.core.errors import Conflict
from app.core.ids import new_id
from app.core.money import decimal_amount, percent_of
from app.coupons import repository
from app.coupons.errors import CouponRefused
from app.coupons.models import Coupon, CouponRedemption, DiscountKind, Eligibility, UseState
from app.payments import public as payments


@dataclass(frozen=True, slots=True)
class Line:
    kind: str  # "service" | "product" | "plan"
    id: UUID
    amount_cents: int


@dataclass(frozen=True, slots=True)
class Verdict:
    coupon: Coupon | None
    amount_cents: int
    discount_cents: int
    reason_code: str | None = None
    reason: str | None = None

    @property
    def valid(self) -> bool:
        return self.reason_code is None


# A use counts against a code's limits while its hold lives and once it is paid.
COUNTS = CouponRedemption.state != UseState.released


def normalize(code: str) -> str:
    return "".join(code.split()).upper()


def _refuse(coupon: Coupon | None, amount: int, code: str, reason: str) -> Verdict:
    return Verdict(coupon, amount, 0, code, reason)


def _eligible_amount(coupon: Coupon, lines: list[Line]) -> int:
    allowed = {
        "service": coupon.service_ids,
        "product": coupon.product_ids,
        "plan": coupon.plan_ids,
    }
    restricted = any(allowed.values())
    return sum(
        line.amount_cents
        for line in lines
        if not restricted or line.id in (allowed.get(line.kind) or [])
    )


async def evaluate(
    session: AsyncSession,
    typed: str,
    *,
    lines: list[Line],
    client_id: UUID | None,
    now: datetime | None = None,
    lock: bool = False,
) -> Verdict:
    """Whether the code applies to these lines for this client, and the discount; the reason
    when it does not (a stable `reason_code` the site can translate)."""
    now = now or utcnow()
    if client_id is not None:
        await clients.get_client(session, client_id)  # ClientNotFound, not a dangling use
    amount = sum(line.amount_cents for line in lines)
    statement = select(Coupon).where(Coupon.code == normalize(typed))
    coupon = await session.scalar(statement.with_for_update() if lock else statement)
    if coupon is None or not coupon.active:
        return _refuse(None, amount, "unknown_code", "This code does not exist.")
    if coupon.owner_client_id is not None and client_id is None:
        return _refuse(coupon, amount, "sign_in_required", "Sign in to use this code.")
    if coupon.owner_client_id is not None and coupon.owner_client_id != client_id:
        return _refuse(coupon, amount, "not_yours", "This code belongs to another client.")
    if coupon.starts_at and now < coupon.starts_at:
        return _refuse(coupon, amount, "not_started", "This code is not valid yet.")
    if coupon.ends_at and now >= coupon.ends_at:
        return _refuse(coupon, amount, "expired", "This code has expired.")
    if amount < coupon.min_amount_cents:
        return _refuse(
            coupon,
            amount,
            "below_minimum",
            f"This code needs at least {decimal_amount(coupon.min_amount_cents)} €.",
        )
    eligible = _eligible_amount(coupon, lines)
    if eligible <= 0:
        return _refuse(coupon, amount, "not_applicable", "This code does not cover these items.")
    if coupon.max_uses is not None:
        used = await session.scalar(
            select(func.count())
            .select_from(CouponRedemption)
            .where(CouponRedemption.coupon_id == coupon.id, COUNTS)
        )
        if (used or 0) >= coupon.max_uses:
            return _refuse(coupon, amount, "used_up", "This code has been used up.")
    needs_client = (
        coupon.max_uses_per_client is not None
        or coupon.eligibility != Eligibility.everyone
        or coupon.first_purchase_only
    )
    if needs_client and client_id is None:
        return _refuse(coupon, amount, "sign_in_required", "Sign in to use this code.")
    if client_id is not None:
        if coupon.max_uses_per_client is not None:
            mine = await session.scalar(
                select(func.count())
                .select_from(CouponRedemption)
                .where(
                    CouponRedemption.coupon_id == coupon.id,
                    CouponRedemption.client_id == client_id,
                    COUNTS,
                )
            )
            if (mine or 0) >= coupon.max_uses_per_client:
                return _refuse(coupon, amount, "already_used", "You have already used this code.")
        paid = await payments.paid_before(session, client_id)
        known = paid or await bookings.has_completed_visit(session, client_id)
        if coupon.eligibility == Eligibility.new_clients and known:
            return _refuse(coupon, amount, "new_clients_only", "This code is for new clients.")
        if coupon.eligibility == Eligibility.existing_clients and not known:
            return _refuse(
                coupon, amount, "existing_clients_only", "This code is for existing clients."
            )
        if coupon.first_purchase_only and paid:
            return _refuse(
                coupon, amount, "first_purchase_only", "This code is for a first purchase."
            )
    if coupon.kind == DiscountKind.percent:
        discount = percent_of(eligible, coupon.percent or Decimal(0))
    else:
        discount = min(coupon.amount_cents or 0, eligible)
    return Verdict(coupon, amount, discount)


# Personal codes are read aloud at the till and typed on the site: no 0/O, 1/I/L.
PERSONAL_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PERSONAL_LENGTH = 8


def personal_code(prefix: str) -> str:
    body = "".join(secrets.choice(PERSONAL_ALPHABET) for _ in range(PERSONAL_LENGTH))
    return f"{normalize(prefix)}-{body[:4]}-{body[4:]}"


@dataclass(frozen=True, slots=True)
class PersonalTerms:
    """What a personal code gives: a percentage or a fixed amount, on the listed services or
    products (none listed: the whole basket), until `ends_at`."""

    description: str
    percent: Decimal | None = None
    amount_cents: int | None = None
    service_ids: tuple[UUID, ...] = ()
    product_ids: tuple[UUID, ...] = ()
    min_amount_cents: int = 0
    ends_at: datetime | None = None


async def issue_personal(
    session: AsyncSession, *, client_id: UUID, origin: str, prefix: str, terms: PersonalTerms
) -> Coupon:
    if (terms.percent is None) == (terms.amount_cents is None):
        raise ValueError("A personal code gives a percentage or an amount, not both.")
    await clients.get_client(session, client_id)
    code = personal_code(prefix)
    while await session.scalar(select(Coupon.id).where(Coupon.code == code)) is not None:
        code = personal_code(prefix)  # 31^8 codes per prefix: a clash is rare, never kept
    now = utcnow()
    coupon = Coupon(
        id=new_id(),
        code=code,
        description=terms.description,
        kind=DiscountKind.percent if terms.percent is not None else DiscountKind.fixed,
        percent=terms.percent,
        amount_cents=terms.amount_cents,
        ends_at=terms.ends_at,
        max_uses=1,
        max_uses_per_client=1,
        eligibility=Eligibility.everyone,
        min_amount_cents=terms.min_amount_cents,
        service_ids=list(terms.service_ids),
        product_ids=list(terms.product_ids),
        owner_client_id=client_id,
        origin=origin,
        created_at=now,
        updated_at=now,
    )
    session.add(coupon)
    await session.flush()
    return coupon


async def personal_state(session: AsyncSession, coupon: Coupon) -> str:
    """`used`, `held` (on a booking waiting for its deposit), `withdrawn`, `expired` or
    `available`."""
    use = await session.scalar(
        select(CouponRedemption.state)
        .where(CouponRedemption.coupon_id == coupon.id, COUNTS)
        .order_by(CouponRedemption.at.desc())
        .limit(1)
    )
    if use is not None:
        return str(use)
    if not coupon.active:
        return "withdrawn"
    if coupon.ends_at is not None and utcnow() >= coupon.ends_at:
        return "expired"
    return "available"


async def withdraw_personal(session: AsyncSession, coupon_id: UUID) -> str:
    """Take back a personal code not yet used (under its lock, so a checkout using it at the
    same moment either wins or finds it gone); answers its state after the attempt."""
    coupon = await repository.get_coupon(session, coupon_id, lock=True)
    if coupon is None or coupon.owner_client_id is None:
        raise ValueError(f"{coupon_id} is not a personal code.")
    state = await personal_state(session, coupon)
    if state in {"available", "expired"}:
        coupon.active = False
        coupon.updated_at = utcnow()
        await session.flush()
        return "withdrawn"
    return state


async def redeem(
    session: AsyncSession,
    typed: str,
    *,
    lines: list[Line],
    client_id: UUID | None,
    subject_kind: str,
    subject_id: UUID,
    actor_user_id: UUID | None,
    state: UseState = UseState.used,
) -> CouponRedemption:
    """Use the code for an order, booking or plan: checked again under the coupon's lock (so
    two checkouts at once cannot both take its last use), then recorded; `held` while the
    booking waits for its deposit."""
    verdict = await evaluate(session, typed, lines=lines, client_id=client_id, lock=True)
    if not verdict.valid or verdict.coupon is None:
        raise CouponRefused(
            verdict.reason, extra={"reason_code": verdict.reason_code or "unknown_code"}
        )
    already = await session.scalar(
        select(CouponRedemption).where(
            CouponRedemption.coupon_id == verdict.coupon.id,
            CouponRedemption.subject_kind == subject_kind,
            CouponRedemption.subject_id == subject_id,
        )
    )
    if already is not None:
        return already  # the same checkout applied twice: one use
    redemption = CouponRedemption(
        id=new_id(),
        coupon_id=verdict.coupon.id,
        client_id=client_id,
        subject_kind=subject_kind,
        subject_id=subject_id,
        amount_before_cents=verdict.amount_cents,
        discount_cents=verdict.discount_cents,
        amount_after_cents=verdict.amount_cents - verdict.discount_cents,
        redeemed_by_user_id=actor_user_id,
        at=utcnow(),
        state=state,
    )
    session.add(redemption)
    await session.flush()
    return redemption


async def redemption_for(
    session: AsyncSession, *, subject_kind: str, subject_id: UUID, code: str | None = None
) -> CouponRedemption | None:
    """The use of a code (this one, or any) on an order, booking or plan."""
    statement = select(CouponRedemption).where(
        CouponRedemption.subject_kind == subject_kind, CouponRedemption.subject_id == subject_id
    )
    if code is not None:
        statement = statement.join(Coupon, Coupon.id == CouponRedemption.coupon_id).where(
            Coupon.code == normalize(code)
        )
    return await session.scalar(statement.order_by(CouponRedemption.at).limit(1))


async def settle_booking_use(session: AsyncSession, booking_id: UUID, state: UseState) -> None:
    """A held booking was paid or confirmed (`used`), or its hold died (`released`). A use
    already counted stays counted when its booking is cancelled later (docs/coupons.md)."""
    await settle_use(session, "booking", booking_id, state)


async def settle_use(
    session: AsyncSession, subject_kind: str, subject_id: UUID, state: UseState
) -> None:
    """A held use becomes `used` (the subject was paid for) or `released` (it was abandoned:
    the code may be used again); a use already counted stays counted."""
    uses = await session.scalars(
        select(CouponRedemption)
        .where(
            CouponRedemption.subject_kind == subject_kind,
            CouponRedemption.subject_id == subject_id,
        )
        .with_for_update()
    )
    for use in uses:
        if state is UseState.used and use.state != UseState.used:
            use.state, use.released_at = UseState.used, None
        elif state is UseState.released and use.state == UseState.held:
            use.state, use.released_at = UseState.released, utcnow()


async def create_coupon(
    session: AsyncSession, terms: dict[str, Any], *, code: str, actor_user_id: UUID
) -> Coupon:
    """A new code with its terms; its name is unique once normalised (`bienvenue10` is
    `BIENVENUE10`)."""
    now = utcnow()
    coupon = Coupon(id=new_id(), created_at=now, updated_at=now, **terms, code=normalize(code))
    session.add(coupon)
    await flush_or_raise(session, Conflict("A code with this name exists."))
    await record_audit(
        session,
        "coupon.created",
        actor_user_id=actor_user_id,
        subject_type="coupon",
        subject_id=coupon.id,
        data={"code": coupon.code, **terms},
    )
    return coupon


async def update_coupon(
    session: AsyncSession, coupon: Coupon, terms: dict[str, Any], *, actor_user_id: UUID
) -> Coupon:
    """Change a code's terms (every field); past uses keep what they were given."""
    changed = {key: value for key, value in terms.items() if getattr(coupon, key) != value}
    for key, value in terms.items():
        setattr(coupon, key, value)
    coupon.updated_at = utcnow()
    await session.flush()
    await record_audit(
        session,
        "coupon.updated",
        actor_user_id=actor_user_id,
        subject_type="coupon",
        subject_id=coupon.id,
        data={"changed": changed},
    )
    return coupon


@dataclass(frozen=True, slots=True)
class CouponStats:
    totals: repository.UseTotals
    uses_left: int | None


async def stats(session: AsyncSession, coupon: Coupon) -> CouponStats:
    totals = await repository.use_totals(session, coupon.id)
    left = None if coupon.max_uses is None else max(coupon.max_uses - totals.uses - totals.held, 0)
    return CouponStats(totals, left)
