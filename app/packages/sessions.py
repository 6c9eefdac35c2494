"""A package's sessions cover bookings (`app/core/coverage.py`, kind "package"): a session is
reserved when a covered service is booked, used when the visit is completed, given back when
it is cancelled in time, and kept or given back by the package's policy after a late
cancellation or a no-show. Every change runs under the package's row lock."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import any_, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import coverage, outbox
from app.core.clock import utcnow
from app.core.ids import new_id
from app.packages import service
from app.packages.models import Package, PackageStatus, PackageUse, UseStatus
from app.packages.topics import TOPIC_SESSION_USED


def _forfeits(package: Package, outcome: coverage.Outcome) -> bool | None:
    """True: the session is kept by the salon; False: given back; None: used."""
    if outcome is coverage.Outcome.completed:
        return None
    if outcome is coverage.Outcome.cancelled_late:
        return package.late_cancellation_forfeits
    if outcome is coverage.Outcome.no_show:
        return package.no_show_forfeits
    return False


@coverage.coverer("package", rank=100)
class PackageCoverer(coverage.Coverer):
    """The soonest-expiring active package of the client that covers the service and is
    still valid at the visit's start, with a session left."""

    async def reserve(self, session: AsyncSession, ask: coverage.Ask) -> coverage.Cover | None:
        left = (
            Package.sessions_total
            - Package.sessions_used
            - Package.sessions_reserved
            - Package.sessions_void
        )
        # FOR UPDATE re-checks the row once a racing transaction commits: the last session
        # goes to one booking only (LIMIT takes the next package, if any).
        package = await session.scalar(
            select(Package)
            .where(
                Package.client_id == ask.client_id,
                Package.status == PackageStatus.active,
                literal(ask.service_id) == any_(Package.service_ids),
                Package.expires_at > ask.start_at,
                left > 0,
            )
            .order_by(Package.expires_at, Package.created_at, Package.id)
            .limit(1)
            .with_for_update()
        )
        if package is None:
            return None
        now = utcnow()
        package.sessions_reserved += 1
        package.updated_at = now
        session.add(
            PackageUse(
                id=new_id(),
                package_id=package.id,
                booking_id=ask.booking_id,
                service_id=ask.service_id,
                position=ask.position,
                status=UseStatus.reserved,
                start_at=ask.start_at,
                reserved_at=now,
            )
        )
        return coverage.Cover("package", package.id, package.name)

    async def settle(
        self, session: AsyncSession, booking_id: UUID, outcome: coverage.Outcome
    ) -> None:
        uses = list(
            await session.scalars(
                select(PackageUse)
                .where(PackageUse.booking_id == booking_id, PackageUse.status == UseStatus.reserved)
                .order_by(PackageUse.package_id, PackageUse.position)
            )
        )
        now = utcnow()
        for use in uses:
            package = await service.get_package(session, use.package_id, lock=True)
            await settle_use(session, package, use, outcome, now)
        await session.flush()


async def settle_use(
    session: AsyncSession,
    package: Package,
    use: PackageUse,
    outcome: coverage.Outcome,
    now: datetime,
) -> None:
    """One reserved session: used or kept (its share becomes revenue), or given back (lost
    instead when the package expired meanwhile)."""
    forfeits = _forfeits(package, outcome)
    package.sessions_reserved -= 1
    use.settled_at, package.updated_at = now, now
    if forfeits is False:
        use.status = UseStatus.released
        if package.status == PackageStatus.expired:
            await service.void_sessions(session, package, 1, now)
        return
    gross, net = service.shares(package, 1)
    package.sessions_used += 1
    package.recognised_cents += gross
    use.status = UseStatus.used if forfeits is None else UseStatus.forfeited
    use.revenue_cents = gross
    service.close_if_done(package, now)
    await outbox.enqueue(
        session,
        TOPIC_SESSION_USED,
        {
            "package_id": package.id,
            "use_id": use.id,
            "client_id": package.client_id,
            "booking_id": use.booking_id,
            "service_id": use.service_id,
            "outcome": use.status,
            "revenue_cents": gross,
            "revenue_excl_vat_cents": net,
            "vat_rate": package.vat_rate,
            "remaining": package.remaining,
            "expires_at": package.expires_at,
            "at": now,
        },
    )
