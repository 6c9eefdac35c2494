"""Offers and packages: making an offer, a package bought (pending, then active when paid),
its sessions leaving the prepayment one by one, expiry and refunds. Every change of a
package's counters happens under its row lock (`get_package(lock=True)`), and a check
constraint keeps what is left from ever going below zero."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.public import record_audit
from app.catalog import public as catalog
from app.core import outbox
from app.core.clock import utcnow
from app.core.ids import new_id
from app.core.money import split, vat_included
from app.packages import errors
from app.packages.models import (
    Channel,
    Package,
    PackageOffer,
    PackageStatus,
    RefundPolicy,
)
from app.packages.settings import package_settings
from app.packages.topics import TOPIC_EXPIRED, TOPIC_SOLD


@dataclass(frozen=True, slots=True)
class OfferData:
    name: str
    description: str | None
    service_ids: list[UUID]
    paid_sessions: int
    free_sessions: int
    price_cents: int
    validity_months: int | None
    refund_policy: str | None
    late_cancellation_forfeits: bool
    no_show_forfeits: bool
    sold_online: bool
    is_active: bool = True


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


async def _priced_services(session: AsyncSession, service_ids: list[UUID]) -> tuple[Decimal, int]:
    """The covered services' one VAT rate, and the dearest one's price (a session's unit
    price for refunds)."""
    specs = await catalog.get_service_specs(session, service_ids)
    if len(specs) != len(set(service_ids)):
        missing = sorted(str(s) for s in set(service_ids) - set(specs))
        raise errors.UnknownServices(extra={"service_ids": missing})
    rates = {spec.vat_rate for spec in specs.values()}
    if len(rates) != 1:
        raise errors.MixedVatRates(extra={"vat_rates": sorted(str(r) for r in rates)})
    return rates.pop(), max(spec.price_cents for spec in specs.values())


async def create_offer(
    session: AsyncSession, data: OfferData, *, actor_user_id: UUID | None
) -> PackageOffer:
    """A new offer, its VAT rate the services' (one rate for all), its unit price the
    dearest covered service's catalog price. Audited as `package_offer.created`."""
    rate, unit = await _priced_services(session, data.service_ids)
    settings = package_settings()
    now = utcnow()
    offer = PackageOffer(
        id=new_id(),
        name=data.name,
        description=data.description,
        service_ids=list(dict.fromkeys(data.service_ids)),
        paid_sessions=data.paid_sessions,
        free_sessions=data.free_sessions,
        price_cents=data.price_cents,
        vat_rate=rate,
        unit_price_cents=unit,
        validity_months=data.validity_months or settings.default_validity_months,
        refund_policy=RefundPolicy(data.refund_policy or settings.default_refund_policy),
        late_cancellation_forfeits=data.late_cancellation_forfeits,
        no_show_forfeits=data.no_show_forfeits,
        sold_online=data.sold_online,
        is_active=data.is_active,
        created_at=now,
        updated_at=now,
    )
    session.add(offer)
    await session.flush()
    await record_audit(
        session,
        "package_offer.created",
        actor_user_id=actor_user_id,
        subject_type="package_offer",
        subject_id=offer.id,
        data={"name": offer.name, "price_cents": offer.price_cents},
    )
    return offer


async def update_offer(
    session: AsyncSession, offer: PackageOffer, data: OfferData, *, actor_user_id: UUID | None
) -> PackageOffer:
    """Change an offer; packages already sold keep the terms they were sold with."""
    rate, unit = await _priced_services(session, data.service_ids)
    offer.name, offer.description = data.name, data.description
    offer.service_ids = list(dict.fromkeys(data.service_ids))
    offer.paid_sessions, offer.free_sessions = data.paid_sessions, data.free_sessions
    offer.price_cents, offer.vat_rate, offer.unit_price_cents = data.price_cents, rate, unit
    offer.validity_months = data.validity_months or offer.validity_months
    offer.refund_policy = RefundPolicy(data.refund_policy or offer.refund_policy)
    offer.late_cancellation_forfeits = data.late_cancellation_forfeits
    offer.no_show_forfeits = data.no_show_forfeits
    offer.sold_online, offer.is_active = data.sold_online, data.is_active
    offer.updated_at = utcnow()
    await session.flush()
    await record_audit(
        session,
        "package_offer.updated",
        actor_user_id=actor_user_id,
        subject_type="package_offer",
        subject_id=offer.id,
        data={"name": offer.name, "price_cents": offer.price_cents},
    )
    return offer


async def get_offer(session: AsyncSession, offer_id: UUID, *, lock: bool = False) -> PackageOffer:
    statement = select(PackageOffer).where(PackageOffer.id == offer_id)
    offer = await session.scalar(statement.with_for_update() if lock else statement)
    if offer is None:
        raise errors.OfferNotFound()
    return offer


async def offer_on_sale(session: AsyncSession, offer_id: UUID, *, online: bool) -> PackageOffer:
    offer = await session.get(PackageOffer, offer_id)
    if offer is None:
        raise errors.OfferNotFound()
    if not offer.is_active or (online and not offer.sold_online):
        raise errors.OfferNotSold()
    return offer


async def get_package(session: AsyncSession, package_id: UUID, *, lock: bool = False) -> Package:
    statement = select(Package).where(Package.id == package_id)
    package = await session.scalar(statement.with_for_update() if lock else statement)
    if package is None:
        raise errors.PackageNotFound()
    return package


def new_package(
    offer: PackageOffer,
    *,
    client_id: UUID,
    channel: Channel,
    price_cents: int,
    sold_by_user_id: UUID | None,
    order_id: UUID | None = None,
    source_key: str | None = None,
) -> Package:
    """A package on the offer's terms as they are today, waiting for its payment."""
    now = utcnow()
    return Package(
        id=new_id(),
        offer_id=offer.id,
        client_id=client_id,
        status=PackageStatus.pending_payment,
        channel=channel,
        name=offer.name,
        service_ids=list(offer.service_ids),
        sessions_total=offer.sessions,
        price_cents=price_cents,
        vat_rate=offer.vat_rate,
        unit_price_cents=offer.unit_price_cents,
        refund_policy=offer.refund_policy,
        late_cancellation_forfeits=offer.late_cancellation_forfeits,
        no_show_forfeits=offer.no_show_forfeits,
        validity_months=offer.validity_months,
        order_id=order_id,
        source_key=source_key,
        sold_by_user_id=sold_by_user_id,
        created_at=now,
        updated_at=now,
    )


async def activate(
    session: AsyncSession, package: Package, *, payment_id: UUID | None, at: datetime | None = None
) -> bool:
    """The package is paid: its validity starts now and the sale is published for the books
    (VAT collected now, the rest a prepayment). False when it already was."""
    if package.status != PackageStatus.pending_payment:
        return False
    now = at or utcnow()
    package.status = PackageStatus.active
    package.payment_id = payment_id
    package.activated_at, package.updated_at = now, now
    package.expires_at = add_months(now, package.validity_months)
    vat = vat_included(package.price_cents, package.vat_rate)
    await outbox.enqueue(
        session,
        TOPIC_SOLD,
        {
            "package_id": package.id,
            "client_id": package.client_id,
            "channel": package.channel,
            "name": package.name,
            "sessions": package.sessions_total,
            "price_cents": package.price_cents,
            "price_excl_vat_cents": package.price_cents - vat,
            "vat_cents": vat,
            "vat_rate": package.vat_rate,
            "payment_id": payment_id,
            "order_id": package.order_id,
            "sold_at": now,
        },
    )
    await session.flush()
    return True


def shares(package: Package, count: int) -> tuple[int, int]:
    """What the next `count` sessions leaving the prepayment are worth (VAT included, and
    without VAT): the price and its amount without VAT each split evenly over every session
    (largest remainder), taken in order, so all the sessions' shares add up to the price."""
    done = package.sessions_used + package.sessions_void
    ones = [1] * package.sessions_total
    gross = split(package.price_cents, ones) if package.price_cents else [0] * len(ones)
    excl_total = package.price_cents - vat_included(package.price_cents, package.vat_rate)
    net = split(excl_total, ones) if excl_total else [0] * len(ones)
    return sum(gross[done : done + count]), sum(net[done : done + count])


def close_if_done(package: Package, now: datetime) -> None:
    done = package.remaining == 0 and package.sessions_reserved == 0
    if package.status == PackageStatus.active and done:
        package.status, package.closed_at = PackageStatus.exhausted, now


async def void_sessions(session: AsyncSession, package: Package, count: int, now: datetime) -> None:
    """`count` sessions are lost (expiry): their share of the price becomes revenue."""
    if count <= 0:
        return
    gross, net = shares(package, count)
    package.sessions_void += count
    package.recognised_cents += gross
    package.updated_at = now
    await outbox.enqueue(
        session,
        TOPIC_EXPIRED,
        {
            "package_id": package.id,
            "client_id": package.client_id,
            "sessions": count,
            "remainder_cents": gross,
            "remainder_excl_vat_cents": net,
            "vat_rate": package.vat_rate,
            "at": now,
        },
    )


async def expire(session: AsyncSession, package: Package, now: datetime) -> int:
    """Past its validity: the sessions left unbooked are lost (a session booked before the
    expiry date stays reserved until its visit settles it). Returns how many were lost."""
    lost = package.remaining
    await void_sessions(session, package, lost, now)
    package.status, package.closed_at = PackageStatus.expired, now
    return lost


def refund_amount(package: Package) -> int:
    """What the unused sessions give back by the package's policy (docs/packages.md):
    `unit_price`: what was paid less the sessions used at the unit price, never below 0;
    `pro_rata`: the unused sessions' share of what was paid. Never more than those sessions'
    share (what the prepayment still holds for them)."""
    unused = package.remaining
    held, _ = shares(package, unused)
    if package.refund_policy == RefundPolicy.pro_rata:
        return held
    if package.refund_policy == RefundPolicy.unit_price:
        used_at_unit = package.sessions_used * package.unit_price_cents
        return min(held, max(package.price_cents - used_at_unit, 0))
    return 0


async def offers_on_sale(session: AsyncSession) -> list[PackageOffer]:
    return list(
        await session.scalars(
            select(PackageOffer)
            .where(PackageOffer.is_active.is_(True))
            .order_by(PackageOffer.name, PackageOffer.id)
        )
    )
