"""A package being bought online, as something paid for (`app/core/payables.py`, kind
"package"): its price is due while it waits for its payment; the payment that settles it
activates it. Its unused sessions are refunded through the package (flows.refund), never by
a refund of the payment alone, so the sessions and the money never both stay."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import payables
from app.core.payables import Due, Stage, Taken, Verdict
from app.packages import errors, service
from app.packages.models import PackageStatus

_OWED = {PackageStatus.pending_payment, PackageStatus.active}
_IN_USE = {PackageStatus.active, PackageStatus.exhausted, PackageStatus.expired}


@payables.payable("package")
class PackagePayable(payables.Payable):
    """Nobody served it yet: no tip, no deposit."""

    async def due(self, session: AsyncSession, subject_id: UUID, *, lock: bool = False) -> Due:
        package = await service.get_package(session, subject_id, lock=lock)
        pending = package.status == PackageStatus.pending_payment
        return Due(
            client_id=package.client_id,
            total_cents=package.price_cents,
            stage=Stage.open if pending else Stage.closed,
            status=package.status,
            description=f"Forfait {package.name}"[:200],
            owes=package.status in _OWED,
        )

    async def taken(self, session: AsyncSession, subject_id: UUID, taken: Taken) -> Verdict:
        """The payment that settles the price activates the package; money for one already
        paid, or no longer sold, goes back."""
        package = await service.get_package(session, subject_id, lock=True)
        if package.status != PackageStatus.pending_payment:
            return Verdict.refund(f"package_{package.status}", event=f"package_{package.status}")
        if not taken.settled:
            return Verdict.keep()
        if await service.activate(session, package, payment_id=taken.payment_id):
            return Verdict.keep(event="package_activated")
        return Verdict.keep()

    async def refundable(
        self, session: AsyncSession, subject_id: UUID, asked_cents: int | None
    ) -> int | None:
        package = await service.get_package(session, subject_id)
        if package.status in _IN_USE:
            raise errors.RefundThroughPackage(
                "POST /api/v1/packages/{id}/refund refunds its unused sessions by its policy."
            )
        return asked_cents
