"""Every query on the dunning's tables."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.ids import new_id
from app.subscriptions.dunning_models import OPEN_STATES, CaseState, DunningCase, DunningStep


async def insert_case(
    session: AsyncSession,
    *,
    subscription_id: UUID,
    invoice_id: UUID,
    stripe_invoice_id: str,
    amount_cents: int,
    decline_code: str | None,
    hard: bool,
    failed_at: datetime,
    now: datetime,
) -> DunningCase | None:
    """The new case, or None when the invoice has one already (one case per invoice)."""
    case_id = await session.scalar(
        insert(DunningCase)
        .values(
            id=new_id(),
            subscription_id=subscription_id,
            invoice_id=invoice_id,
            stripe_invoice_id=stripe_invoice_id,
            amount_cents=amount_cents,
            state=CaseState.past_due,
            failed_at=failed_at,
            last_failed_at=failed_at,
            decline_code=decline_code,
            hard=hard,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["invoice_id"])
        .returning(DunningCase.id)
    )
    if case_id is None:
        return None
    return await session.get(DunningCase, case_id, with_for_update=True)


async def case_of_invoice(
    session: AsyncSession, invoice_id: UUID, *, lock: bool = False
) -> DunningCase | None:
    statement = select(DunningCase).where(DunningCase.invoice_id == invoice_id)
    if lock:
        statement = statement.with_for_update()
    return await session.scalar(statement)


async def open_cases_of(
    session: AsyncSession, subscription_id: UUID, *, lock: bool = False
) -> list[DunningCase]:
    statement = (
        select(DunningCase)
        .where(DunningCase.subscription_id == subscription_id, DunningCase.closed_at.is_(None))
        .order_by(DunningCase.failed_at, DunningCase.id)
    )
    if lock:
        statement = statement.with_for_update()
    return list(await session.scalars(statement))


async def cases_of(session: AsyncSession, subscription_id: UUID) -> list[DunningCase]:
    return list(
        await session.scalars(
            select(DunningCase)
            .where(DunningCase.subscription_id == subscription_id)
            .order_by(DunningCase.failed_at.desc(), DunningCase.id)
        )
    )


async def lock_next_due(
    session: AsyncSession, *, now: datetime, skip: Iterable[UUID]
) -> DunningCase | None:
    """The open case due first that no other scanner holds, locked (SKIP LOCKED)."""
    statement = (
        select(DunningCase)
        .where(
            DunningCase.closed_at.is_(None),
            DunningCase.state.in_(OPEN_STATES),
            DunningCase.next_step_at <= now,
        )
        .order_by(DunningCase.next_step_at, DunningCase.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    skipped = list(skip)
    if skipped:
        statement = statement.where(DunningCase.id.not_in(skipped))
    return await session.scalar(statement)


async def insert_step(
    session: AsyncSession,
    case: DunningCase,
    step: str,
    dedupe_key: str,
    now: datetime,
    detail: dict[str, Any],
) -> bool:
    inserted = await session.scalar(
        insert(DunningStep)
        .values(
            id=new_id(),
            case_id=case.id,
            step=step,
            dedupe_key=dedupe_key,
            done_at=now,
            detail=detail,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(DunningStep.id)
    )
    return inserted is not None


async def done_steps(session: AsyncSession, case_id: UUID) -> set[str]:
    return set(
        await session.scalars(select(DunningStep.step).where(DunningStep.case_id == case_id))
    )


async def steps_of(session: AsyncSession, case_id: UUID) -> list[DunningStep]:
    return list(
        await session.scalars(
            select(DunningStep)
            .where(DunningStep.case_id == case_id)
            .order_by(DunningStep.done_at, DunningStep.id)
        )
    )
