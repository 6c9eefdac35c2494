"""Package use cases that reach other domains (payments, clients, sales' tickets) through
their public modules: a package bought online, packages sold on a till's ticket, a refund of
unused sessions, and the reads of a client's packages."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.public import record_audit
from app.clients import public as clients
from app.core import outbox
from app.core.clock import utcnow
from app.core.money import vat_included
from app.core.pagination import Page, PageParams, paginate
from app.packages import errors, service
from app.packages.models import Channel, Package, PackageStatus, PackageUse, RefundPolicy
from app.packages.schemas import PackageOut, PurchaseOut, RefundOut, RefundQuoteOut
from app.packages.topics import TOPIC_REFUNDED
from app.payments import public as payments


async def buy_online(
    session: AsyncSession,
    offer_id: UUID,
    *,
    user_id: UUID,
    method: str,
    return_url: str | None,
    cancel_url: str | None,
) -> PurchaseOut:
    """A package for the signed-in client, waiting for its online payment (Stripe or
    PayPal); it is active from the payment that settles it (payable.py)."""
    own = await clients.client_for_user(session, user_id)
    if own is None:
        raise errors.PackageNeedsClient("This account has no client record yet.")
    offer = await service.offer_on_sale(session, offer_id, online=True)
    package = service.new_package(
        offer,
        client_id=own.id,
        channel=Channel.online,
        price_cents=offer.price_cents,
        sold_by_user_id=None,
    )
    session.add(package)
    await session.flush()
    checkout = await payments.start_purchase(
        session,
        subject=("package", package.id),
        method=payments.PaymentMethod(method),
        return_url=return_url,
        cancel_url=cancel_url,
    )
    package.payment_id = checkout.payment.id
    return PurchaseOut(
        package=PackageOut.of(package),
        payment_id=checkout.payment.id,
        client_secret=checkout.client_secret,
        publishable_key=checkout.publishable_key,
        approval_url=checkout.payment.approval_url,
    )


async def sold_on_ticket(
    session: AsyncSession,
    *,
    record_id: UUID,
    order_id: UUID,
    client_id: UUID | None,
    lines: list[tuple[UUID, int, int]],
) -> int:
    """The till's ticket sold package lines `(offer, quantity, amount paid)`: one active
    package per unit, at its share of what the line cost (discounts included). A replayed
    ticket adds none (`source_key`). Returns how many were made."""
    if client_id is None:
        return 0
    made = 0
    for index, (offer_id, quantity, amount) in enumerate(lines):
        offer = await service.get_offer(session, offer_id)
        base, extra = divmod(amount, quantity)
        for unit in range(quantity):
            key = f"ticket:{record_id}:{index}:{unit}"
            if await session.scalar(select(Package.id).where(Package.source_key == key)):
                continue
            package = service.new_package(
                offer,
                client_id=client_id,
                channel=Channel.till,
                price_cents=base + (1 if unit < extra else 0),
                sold_by_user_id=None,
                order_id=order_id,
                source_key=key,
            )
            session.add(package)
            await session.flush()
            await service.activate(session, package, payment_id=None)
            made += 1
    return made


async def refund_quote(session: AsyncSession, package_id: UUID) -> RefundQuoteOut:
    package = await service.get_package(session, package_id)
    return RefundQuoteOut(
        package_id=package.id,
        unused_sessions=package.remaining,
        refund_cents=service.refund_amount(package),
        refund_policy=package.refund_policy,
    )


def _check_refundable(package: Package) -> None:
    if package.status != PackageStatus.active or package.remaining == 0:
        raise errors.PackageNotRefundable(f"A package that is {package.status} is not refunded.")
    if package.refund_policy == RefundPolicy.none:
        raise errors.PackageNotRefundable("This package's terms exclude refunds.")
    if package.sessions_reserved:
        raise errors.PackageHasReservations(
            "Cancel the booked sessions first.", extra={"reserved": package.sessions_reserved}
        )
    if package.channel == Channel.till or package.payment_id is None:
        raise errors.RefundAtTill()


async def refund(
    session: AsyncSession, package_id: UUID, *, reason: str, actor_user_id: UUID | None
) -> RefundOut:
    """Refund the unused sessions by the package's policy (service.refund_amount) through
    the payment that bought it (back to the same card or PayPal account); the sessions leave
    the package, and what they held beyond the refund is revenue the salon keeps. Audited as
    `package.refunded`."""
    found = await service.get_package(session, package_id)
    _check_refundable(found)
    # The payment first, then the package: the order every refund locks them in.
    payment = await payments.get_payment(session, found.payment_id or found.id, lock=True)
    package = await service.get_package(session, package_id, lock=True)
    _check_refundable(package)
    now = utcnow()
    unused = package.remaining
    amount = service.refund_amount(package)
    held, held_net = service.shares(package, unused)
    package.sessions_void += unused
    package.refunded_cents = amount
    package.recognised_cents += held - amount
    package.status, package.closed_at, package.updated_at = PackageStatus.refunded, now, now
    made = None
    if amount > 0:
        made = await payments.refund_payment(
            session,
            payment,
            amount_cents=amount,
            reason=f"package refunded: {reason}"[:200],
            requested_by_user_id=actor_user_id,
            automatic=True,
            key=f"package:{package.id}:refund",
        )
    refund_net = amount - vat_included(amount, package.vat_rate)
    await outbox.enqueue(
        session,
        TOPIC_REFUNDED,
        {
            "package_id": package.id,
            "client_id": package.client_id,
            "sessions": unused,
            "refund_cents": amount,
            "refund_excl_vat_cents": refund_net,
            "released_cents": held - amount,
            "released_excl_vat_cents": held_net - refund_net,
            "vat_rate": package.vat_rate,
            "payment_id": payment.id,
            "at": now,
        },
    )
    await record_audit(
        session,
        "package.refunded",
        actor_user_id=actor_user_id,
        subject_type="package",
        subject_id=package.id,
        data={"sessions": unused, "refund_cents": amount, "reason": reason},
    )
    await session.flush()
    return RefundOut(
        package_id=package.id,
        unused_sessions=unused,
        refund_cents=amount,
        refund_policy=package.refund_policy,
        refund_id=made.id if made else None,
        payment_id=payment.id,
        package=PackageOut.of(package),
    )


async def _uses(session: AsyncSession, package_ids: list[UUID]) -> dict[UUID, list[PackageUse]]:
    found: dict[UUID, list[PackageUse]] = {p: [] for p in package_ids}
    if package_ids:
        rows = await session.scalars(
            select(PackageUse)
            .where(PackageUse.package_id.in_(package_ids))
            .order_by(PackageUse.start_at, PackageUse.id)
        )
        for use in rows:
            found[use.package_id].append(use)
    return found


async def client_packages(session: AsyncSession, client_id: UUID) -> list[PackageOut]:
    """A client's paid packages (active first, then the rest), each with its history."""
    packages = list(
        await session.scalars(
            select(Package)
            .where(
                Package.client_id == client_id,
                Package.status.notin_([PackageStatus.pending_payment, PackageStatus.cancelled]),
            )
            .order_by(Package.status != PackageStatus.active, Package.expires_at, Package.id)
        )
    )
    uses = await _uses(session, [p.id for p in packages])
    return [PackageOut.of(p, uses[p.id]) for p in packages]


async def packages_of_user(session: AsyncSession, user_id: UUID) -> list[PackageOut]:
    own = await clients.client_for_user(session, user_id)
    return [] if own is None else await client_packages(session, own.id)


async def packages_of_client(session: AsyncSession, client_id: UUID) -> list[PackageOut]:
    await clients.get_client(session, client_id)  # unknown: 404
    return await client_packages(session, client_id)


async def sold_packages(
    session: AsyncSession, *, page: PageParams, status: str | None
) -> Page[PackageOut]:
    """Every package sold (or waiting for its payment), newest first."""
    query = select(Package)
    if status is not None:
        query = query.where(Package.status == status)
    return await paginate(
        session,
        query,
        order_by=(Package.created_at, Package.id),
        params=page,
        descending=True,
        to_item=PackageOut.of,
    )


async def package_detail(session: AsyncSession, package_id: UUID) -> PackageOut:
    package = await service.get_package(session, package_id)
    return PackageOut.of(package, (await _uses(session, [package.id]))[package.id])
