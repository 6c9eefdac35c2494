"""What packages does when others (and itself) publish: packages sold on a till's ticket
become active, and clients hear of their purchase and of the sessions left after a visit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import outbox
from app.packages import flows, notices, service
from app.packages.topics import TOPIC_SESSION_USED, TOPIC_SOLD, PackageSold, SessionUsed
from app.sales import public as sales


@outbox.handles(sales.TOPIC_TICKET_ISSUED, name="packages.activate_sold_on_ticket")
async def on_ticket(session: AsyncSession, event: sales.TicketIssued) -> None:
    if event.kind != "ticket":
        return
    lines = [
        (line.item_id, line.quantity, line.amount_incl_vat_cents)
        for line in event.lines
        if line.kind == "package" and line.item_id is not None and line.quantity > 0
    ]
    if lines:
        await flows.sold_on_ticket(
            session,
            record_id=event.journal_record_id,
            order_id=event.order_id,
            client_id=event.client_id,
            lines=lines,
        )


@outbox.handles(TOPIC_SOLD, name="packages.notify_purchase")
async def on_sold(session: AsyncSession, event: PackageSold) -> None:
    await notices.purchased(session, await service.get_package(session, event.package_id))


@outbox.handles(TOPIC_SESSION_USED, name="packages.notify_sessions_left")
async def on_session_used(session: AsyncSession, event: SessionUsed) -> None:
    if event.outcome == "used":
        package = await service.get_package(session, event.package_id)
        await notices.sessions_left(
            session, package, use_key=str(event.use_id), remaining=event.remaining
        )
