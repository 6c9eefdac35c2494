"""A friend comes with a code (her welcome), her first paid visit (the referrer's reward),
a refund of that visit (the reward taken back): the use cases that reach clients, coupons,
payments and notifications through their public modules."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.ids import new_id
from app.core.money import euros
from app.core.timeutils import zone
from app.coupons import public as coupons
from app.notifications import public as notifications
from app.referrals import fraud, repository, service
from app.referrals.errors import AlreadyReferred
from app.referrals.models import Referral, ReferralChannel, ReferralStatus, RefusalReason

ORIGIN = "referrals"


def _terms(
    *, description: str, percent: Decimal | None, amount_cents: int, minimum: int, days: int
) -> tuple[coupons.PersonalTerms, int | None]:
    """The code's terms, and its value in cents when it is a fixed amount."""
    ends_at = utcnow() + timedelta(days=days)
    if percent is not None:
        terms = coupons.PersonalTerms(
            description=description, percent=percent, min_amount_cents=minimum, ends_at=ends_at
        )
        return terms, None
    terms = coupons.PersonalTerms(
        description=description,
        amount_cents=amount_cents,
        min_amount_cents=minimum,
        ends_at=ends_at,
    )
    return terms, amount_cents


def _value_text(terms: coupons.PersonalTerms) -> str:
    if terms.percent is not None:
        return f"{terms.percent.normalize():f} %"
    return euros(terms.amount_cents or 0)


def _date(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment.astimezone(zone()):%d/%m/%Y}"


async def _tell(
    session: AsyncSession, client_id: UUID, template: str, key: str, context: dict[str, Any]
) -> None:
    client = await clients.get_client(session, client_id)
    await notifications.queue(
        session,
        template=template,
        channel=notifications.Channel.email,
        recipient=notifications.Recipient(client.id, client.first_name, client.email, None),
        context=context,
        dedupe_key=key,
    )


def _booking_url() -> str:
    return f"{get_settings().salon.public_url.rstrip('/')}/reservation"


async def _share_url(session: AsyncSession, client_id: UUID) -> str:
    client = await clients.get_client(session, client_id)
    return service.link_of((await service.code_for(session, client.id, client.first_name)).code)


def _code_context(terms: coupons.PersonalTerms, issued: coupons.PersonalCode) -> dict[str, Any]:
    return {
        "code": issued.code,
        "value": _value_text(terms),
        "minimum": euros(terms.min_amount_cents) if terms.min_amount_cents else None,
        "ends": _date(issued.ends_at),
        "booking_url": _booking_url(),
    }


async def claim(
    session: AsyncSession,
    *,
    friend_id: UUID,
    code: str,
    channel: ReferralChannel,
    booking_id: UUID | None = None,
) -> Referral:
    """Record that `friend_id` came with `code` (once per friend: `AlreadyReferred`, or the
    same row again for a booking that carries the code again). A new friend gets her welcome
    code; otherwise the refusal is recorded with its reason."""
    row = await service.referrer_of(session, code)
    existing = await repository.referral_of_friend(session, friend_id)
    if existing is not None:
        if channel is ReferralChannel.booking:
            return existing
        raise AlreadyReferred()
    now = utcnow()
    reason = await fraud.refusal(
        session, friend_id=friend_id, referrer_id=row.client_id, at_claim=True
    )
    referral = Referral(
        id=new_id(),
        referrer_client_id=row.client_id,
        friend_client_id=friend_id,
        code=row.code,
        channel=channel,
        status=ReferralStatus.refused if reason else ReferralStatus.pending,
        reason_code=reason,
        booking_id=booking_id,
        signed_up_at=now,
        refused_at=now if reason else None,
        created_at=now,
        updated_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(referral)
    except IntegrityError:  # the same friend claimed twice at once
        raise AlreadyReferred() from None
    if reason is None:
        await _welcome(session, referral)
    return referral


async def _welcome(session: AsyncSession, referral: Referral) -> None:
    settings = get_settings().referrals
    referrer = await clients.get_client(session, referral.referrer_client_id)
    terms, value = _terms(
        description=f"Bienvenue (parrainage de {referrer.first_name})",
        percent=settings.welcome_percent,
        amount_cents=settings.welcome_amount_cents,
        minimum=settings.welcome_min_basket_cents,
        days=settings.welcome_validity_days,
    )
    referral.welcome_value_cents = value
    referral.welcome_coupon_id = await _give_code(
        session,
        referral,
        holder_id=referral.friend_client_id,
        prefix="BIENV",
        terms=terms,
        step="welcome",
        extra={"referrer_first_name": referrer.first_name},
    )


async def _give_code(
    session: AsyncSession,
    referral: Referral,
    *,
    holder_id: UUID,
    prefix: str,
    terms: coupons.PersonalTerms,
    step: str,
    extra: dict[str, Any],
) -> UUID:
    """Issues `holder_id`'s personal code and tells her (template `referral_{step}`, once per
    referral and step). Returns the code's coupon."""
    issued = await coupons.issue_personal_code(
        session, client_id=holder_id, origin=ORIGIN, prefix=prefix, terms=terms
    )
    context = {"referral": _code_context(terms, issued) | extra}
    await _tell(session, holder_id, f"referral_{step}", f"referral:{referral.id}:{step}", context)
    return issued.coupon_id


async def mark_booked(session: AsyncSession, friend_id: UUID, booking_id: UUID) -> None:
    """The friend's booking is confirmed: the "booked" step of her referral."""
    referral = await repository.referral_of_friend(session, friend_id, lock=True)
    if referral is not None and referral.booked_at is None:
        referral.booked_at, referral.updated_at = utcnow(), utcnow()
        referral.booking_id = referral.booking_id or booking_id


async def record_paid_visit(
    session: AsyncSession,
    *,
    friend_id: UUID,
    amount_cents: int,
    order_id: UUID | None = None,
    booking_id: UUID | None = None,
) -> Referral | None:
    """A visit of `friend_id` was paid. Her first one of at least the minimum converts her
    referral: the referrer's reward, or the reason there is none. Any later visit, or the
    same one told twice (the ticket and the completed booking), changes nothing."""
    found = await repository.referral_of_friend(session, friend_id)
    minimum = get_settings().referrals.min_visit_cents
    if found is None or found.status != ReferralStatus.pending or amount_cents < minimum:
        return None
    await repository.lock_referrer(session, found.referrer_client_id)
    referral = await repository.lock_referral(session, found.id)
    if referral.status != ReferralStatus.pending:
        return None  # another transaction converted it while this one waited
    now = utcnow()
    referral.paid_at = referral.updated_at = now
    referral.booked_at = referral.booked_at or now
    referral.visit_order_id, referral.visit_booking_id = order_id, booking_id
    referral.visit_amount_cents = amount_cents
    reason = await fraud.refusal(
        session, friend_id=friend_id, referrer_id=referral.referrer_client_id, at_claim=False
    )
    limit = get_settings().referrals.max_rewards_per_month
    if reason is None and (
        await service.rewarded_this_month(session, referral.referrer_client_id, now) >= limit
    ):
        reason = RefusalReason.monthly_limit
    if reason is not None:
        referral.status, referral.reason_code, referral.refused_at = (
            ReferralStatus.refused,
            reason,
            now,
        )
        return referral
    await _reward(session, referral)
    return referral


async def _reward(session: AsyncSession, referral: Referral) -> None:
    settings = get_settings().referrals
    friend = await clients.get_client(session, referral.friend_client_id)
    terms, value = _terms(
        description=f"Merci pour le parrainage de {friend.first_name}",
        percent=settings.reward_percent,
        amount_cents=settings.reward_amount_cents,
        minimum=settings.reward_min_basket_cents,
        days=settings.reward_validity_days,
    )
    referral.status, referral.rewarded_at = ReferralStatus.rewarded, utcnow()
    referral.reward_value_cents = value
    referral.reward_coupon_id = await _give_code(
        session,
        referral,
        holder_id=referral.referrer_client_id,
        prefix="MERCI",
        terms=terms,
        step="reward",
        extra={
            "friend_first_name": friend.first_name,
            "share_url": await _share_url(session, referral.referrer_client_id),
        },
    )


async def add_revenue(session: AsyncSession, friend_id: UUID, amount_cents: int) -> None:
    """A ticket (or, negative, a credit ticket) of a referred friend."""
    referral = await repository.referral_of_friend(session, friend_id, lock=True)
    if referral is not None:
        referral.revenue_cents += amount_cents
        referral.updated_at = utcnow()


async def record_refund(
    session: AsyncSession,
    *,
    amount_cents: int,
    order_id: UUID | None = None,
    booking_id: UUID | None = None,
) -> Referral | None:
    """Money of a converting visit went back. Once what the visit kept is below the minimum,
    the referrer's reward is taken back; if she already spent it, it is recorded as lost."""
    referral = await repository.referral_of_visit(session, order_id=order_id, booking_id=booking_id)
    if referral is None:
        return None
    referral.refunded_cents += amount_cents
    referral.updated_at = utcnow()
    kept = (referral.visit_amount_cents or 0) - referral.refunded_cents
    rewarded = referral.status == ReferralStatus.rewarded and referral.reward_coupon_id
    if not rewarded or kept >= get_settings().referrals.min_visit_cents:
        return referral
    assert referral.reward_coupon_id is not None  # noqa: S101 (for mypy: checked above)
    referral.status, referral.reversed_at = ReferralStatus.reversed, utcnow()
    state = await coupons.withdraw_personal_code(session, referral.reward_coupon_id)
    referral.reward_lost = state != "withdrawn"
    if not referral.reward_lost:
        friend = await clients.get_client(session, referral.friend_client_id)
        await _tell(
            session,
            referral.referrer_client_id,
            "referral_reward_withdrawn",
            f"referral:{referral.id}:withdrawn",
            {
                "referral": {
                    "friend_first_name": friend.first_name,
                    "code": (await coupons.personal_code(session, referral.reward_coupon_id)).code,
                    "share_url": await _share_url(session, referral.referrer_client_id),
                }
            },
        )
    return referral


async def code_state(session: AsyncSession, coupon_id: UUID | None) -> str | None:
    return None if coupon_id is None else await coupons.personal_code_state(session, coupon_id)
