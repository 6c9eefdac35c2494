"""The salon's card readers, and the safety net behind the reader's result callback."""

from __future__ import annotations

import logging
from datetime import timedelta
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.db import unit_of_work
from app.core.ids import new_id
from app.payments import ledger, providers, webhooks
from app.payments.errors import ProviderRefused, ProviderUnavailable, ReaderNotFound
from app.payments.models import (
    OPEN,
    Payment,
    PaymentMethod,
    PaymentStatus,
    TerminalReader,
)
from app.payments.providers import ProviderState

logger = logging.getLogger(__name__)

# A reader checkout the callback has not settled is asked about after this long...
POLL_AFTER = timedelta(seconds=45)
# ...and given up on (marked failed, staff see it) after this long without an answer.
GIVE_UP_AFTER = timedelta(hours=24)


async def pair_reader(session: AsyncSession, *, pairing_code: str, name: str) -> TerminalReader:
    adapter = providers.terminal()
    paired = await adapter.pair(pairing_code=pairing_code, name=name)
    reader = TerminalReader(
        id=new_id(),
        provider=adapter.provider,
        provider_reader_id=paired.ref,
        name=paired.name,
        status=paired.status,
        model=paired.model,
        serial_number=paired.serial_number,
        created_at=utcnow(),
    )
    session.add(reader)
    await session.flush()
    return reader


def readers_query() -> Select[TerminalReader]:
    """The readers still paired."""
    return select(TerminalReader).where(TerminalReader.removed_at.is_(None))


async def remove_reader(session: AsyncSession, reader_id: UUID) -> None:
    reader = await session.get(TerminalReader, reader_id, with_for_update=True)
    if reader is None or reader.removed_at is not None:
        raise ReaderNotFound()
    if reader.provider != "console":
        await providers.terminal().unpair(reader.provider_reader_id)
    reader.removed_at = utcnow()


async def poll_open_checkouts(batch_size: int = 50) -> int:
    """Ask SumUp about reader checkouts still open a while after they started: a callback
    lost on the way must not leave a payment pending forever. Returns how many moved."""
    now = utcnow()
    async with unit_of_work() as session:
        ids = list(
            await session.scalars(
                select(Payment.id)
                .where(
                    Payment.method == PaymentMethod.sumup_terminal,
                    Payment.status.in_(OPEN),
                    Payment.provider != "console",
                    Payment.created_at <= now - POLL_AFTER,
                )
                .order_by(Payment.created_at)
                .limit(batch_size)
            )
        )
    moved = 0
    for payment_id in ids:
        async with unit_of_work() as session:
            payment = await session.scalar(
                select(Payment).where(Payment.id == payment_id).with_for_update(skip_locked=True)
            )
            if payment is None or PaymentStatus(payment.status) not in OPEN:
                continue
            try:
                moved += await webhooks.refresh(session, payment, source="poll")
            except (ProviderUnavailable, ProviderRefused) as exc:
                logger.warning(
                    "terminal checkout poll failed",
                    extra={"payment_id": str(payment.id), "error": str(exc)},
                )
            if PaymentStatus(payment.status) in OPEN and payment.created_at <= now - GIVE_UP_AFTER:
                state = ProviderState(
                    ref=payment.provider_ref or "",
                    status=PaymentStatus.failed,
                    failure_code="no_result",
                    failure_message="The reader never reported a result.",
                )
                moved += await ledger.apply_state(session, payment, state, source="poll")
    return moved
