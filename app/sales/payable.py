"""An order as something paid for (`app/core/payables.py`, kind "order"): what is left once
the booking's online payments and what is left owed on account (its invoice's debt) are
counted, tips for the practitioners of its services, and
no refund outside a credit ticket (the journal must show every euro that goes back)."""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import payables
from app.core.config import get_settings
from app.core.payables import Due, Stage, Taken, Verdict
from app.sales import repository
from app.sales.errors import OrderNotFound, OrderNotOpen, RefundAtTheTill
from app.sales.models import LineKind, OrderStatus


@payables.payable("order")
class OrderPayable(payables.Payable):
    not_payable = OrderNotOpen

    async def due(self, session: AsyncSession, subject_id: UUID, *, lock: bool = False) -> Due:
        order = await repository.get_order(session, subject_id, lock=lock)
        if order is None:
            raise OrderNotFound()
        shares: dict[UUID, int] = defaultdict(int)
        for line in await repository.lines_of(session, order.id):
            if line.kind == LineKind.service and line.practitioner_id is not None:
                shares[line.practitioner_id] += line.quantity * line.unit_price_cents
        is_open = order.status == OrderStatus.open
        on_account = sum(
            t.amount_cents
            for t in await repository.tenders_of(session, order.id)
            if t.method == "on_account"
        )
        return Due(
            client_id=order.client_id,
            total_cents=order.total_cents - order.prepaid_cents - on_account,
            stage=Stage.open if is_open else Stage.closed,
            status=order.status,
            description=get_settings().salon.name,
            practitioner_shares={p: s for p, s in shares.items() if s > 0},
            owes=order.status != OrderStatus.cancelled,
        )

    async def taken(self, session: AsyncSession, subject_id: UUID, taken: Taken) -> Verdict:
        return Verdict.keep()

    async def refundable(
        self, session: AsyncSession, subject_id: UUID, asked_cents: int | None
    ) -> int | None:
        """A tender taken by mistake goes back while the order is open; after its ticket,
        only a credit ticket gives money back."""
        order = await repository.get_order(session, subject_id)
        if order is not None and order.status == OrderStatus.open:
            return asked_cents
        raise RefundAtTheTill(
            "Give money back for an order with its credit ticket: "
            "POST /api/v1/sales/tickets/{ticket_id}/refund."
        )
