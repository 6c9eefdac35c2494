"""Dunning: one state machine per failed renewal (docs/subscriptions.md, "Dunning").

`past_due → (recovered | suspended → cancelled)`, on the schedule of DUNNING_* settings
(`dunning_schedule.py`). The retries are ours (Stripe's Smart Retries are turned off and the
subscription is left past due): at most DUNNING_MAX_RETRIES, never after a hard decline, and
one more each time the client saves a new card. Entitlements are suspended and the
membership cancelled through the core's public functions; every step is written once under
`dunning:{case}:{step}` and recorded on the subscription's timeline.

The scan locks due cases with SKIP LOCKED, one transaction per case (a retry calls Stripe:
one case's error does not undo another's), so two workers never take the same case; the
outbox handlers lock the case and wait. The step row is written before the step acts.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.db import unit_of_work
from app.subscriptions import dunning_core as core
from app.subscriptions import dunning_messages as messages
from app.subscriptions import dunning_repository as repository
from app.subscriptions.dunning_models import (
    OPEN_STATES,
    CaseState,
    DunningCase,
    Outcome,
    RecoveredBy,
)
from app.subscriptions.dunning_schedule import (
    CANCEL,
    REMINDER,
    RETRY,
    SUSPEND,
    Step,
    is_hard,
    schedule,
)
from app.subscriptions.topics import DUNNING_CANCEL_REASON

logger = logging.getLogger(__name__)
BATCH = 100


def dedupe_key(case_id: UUID, step: str) -> str:
    return f"dunning:{case_id}:{step}"


async def _timeline(
    session: AsyncSession, case: DunningCase, step: str, kind: str, detail: dict[str, Any]
) -> None:
    detail = {"case_id": str(case.id), "invoice": case.stripe_invoice_id} | detail
    await core.record(
        session, case.subscription_id, kind, detail, dedupe_key=dedupe_key(case.id, step)
    )


async def _claim(
    session: AsyncSession, case: DunningCase, step: str, detail: dict[str, Any] | None = None
) -> bool:
    """Write the step once; False when it was already done (its dedupe key exists)."""
    return await repository.insert_step(
        session, case, step, dedupe_key(case.id, step), utcnow(), detail or {}
    )


# ---- what the outbox tells us -------------------------------------------------------------


async def open_case(
    session: AsyncSession,
    *,
    subscription_id: UUID,
    invoice_id: UUID,
    stripe_invoice_id: str,
    amount_cents: int,
    decline_code: str | None,
    failed_at: datetime,
) -> DunningCase | None:
    """Open the case of a failed renewal invoice, once. A later failure of the same invoice
    (one of our retries, reported again by Stripe) updates what the card said; a failure
    reported after the case closed (a late `payment_failed` after `paid`) changes nothing."""
    now = utcnow()
    case = await repository.insert_case(
        session,
        subscription_id=subscription_id,
        invoice_id=invoice_id,
        stripe_invoice_id=stripe_invoice_id,
        amount_cents=amount_cents,
        decline_code=decline_code,
        hard=is_hard(decline_code),
        failed_at=failed_at,
        now=now,
    )
    if case is not None:
        case.next_step_at = _next_step_at(case, set())
        await _timeline(
            session,
            case,
            "opened",
            "dunning.opened",
            {"amount_cents": amount_cents, "decline_code": decline_code, "hard": case.hard},
        )
        await messages.alert_opened(session, case)
        return case
    case = await repository.case_of_invoice(session, invoice_id, lock=True)
    if case is None or case.state not in OPEN_STATES or failed_at <= case.last_failed_at:
        return None
    case.last_failed_at, case.decline_code = failed_at, decline_code
    case.hard = is_hard(decline_code)
    case.updated_at = now
    return case


async def invoice_paid(session: AsyncSession, *, invoice_id: UUID, paid_at: datetime) -> None:
    """The invoice of an open case got paid (however): the case is recovered, and a
    suspended membership gets its entitlements back."""
    case = await repository.case_of_invoice(session, invoice_id, lock=True)
    if case is None or case.state not in OPEN_STATES:
        return
    await _recover(session, case, RecoveredBy.payment, paid_at)


async def card_updated(session: AsyncSession, *, subscription_id: UUID, at: datetime) -> None:
    """A new card always earns one immediate retry of each open case of the membership, hard
    decline or not, retries exhausted or not (once per card update)."""
    for case in await repository.open_cases_of(session, subscription_id, lock=True):
        step = f"card:{int(at.timestamp())}"
        if not await _claim(session, case, step):
            continue
        case.card_retries += 1
        await _retry(session, case, step, by=RecoveredBy.card_update)
        if case.state not in OPEN_STATES:
            continue
        # A scheduled retry already due is replaced by this one: no second charge minutes later.
        for due in schedule(case.failed_at):
            if due.kind == RETRY and due.due_at <= utcnow():
                await _claim(session, case, due.name, {"skipped": "a new card was retried"})
        case.next_step_at = _next_step_at(case, await repository.done_steps(session, case.id))


async def membership_ended(session: AsyncSession, *, subscription_id: UUID) -> None:
    """The membership ended some other way while unpaid (staff, the client, Stripe): its open
    cases close as `ended` (the revenue is lost); ours was closed before it cancelled."""
    now = utcnow()
    for case in await repository.open_cases_of(session, subscription_id, lock=True):
        if not await _claim(session, case, "ended"):
            continue
        _close(case, CaseState.cancelled, Outcome.ended, now)
        await _timeline(session, case, "ended", "dunning.ended", {})


# ---- the scan ------------------------------------------------------------------------------


async def scan(batch_size: int = BATCH) -> int:
    """Run the steps that are due, case by case; returns how many steps were taken."""
    taken = 0
    seen: set[UUID] = set()
    while len(seen) < batch_size:
        try:
            async with unit_of_work() as session:
                now = utcnow()
                case = await repository.lock_next_due(session, now=now, skip=seen)
                if case is None:
                    break
                seen.add(case.id)
                taken += await advance(session, case, now)
        except Exception:  # one case's failure (Stripe down) must not stop the others
            logger.exception("dunning step failed; the case is taken again at the next scan")
    return taken


async def advance(session: AsyncSession, case: DunningCase, now: datetime) -> int:
    """Take the case's due steps, in order: a retry (at most one per pass: missed ones are
    skipped, not run in a burst), the suspension, the cancellation, then the last reminder
    due (earlier missed ones are skipped: one message tells the case as it is now)."""
    done = await repository.done_steps(session, case.id)
    due = [s for s in schedule(case.failed_at) if s.due_at <= now and s.name not in done]
    taken = 0
    retries = [s for s in due if s.kind == RETRY]
    if retries:
        taken += await _scheduled_retry(session, case, retries)
        if case.state not in OPEN_STATES:
            return taken
    told = False
    if _due(due, SUSPEND) and case.state == CaseState.past_due:
        taken += await _suspend(session, case, now)
        told = True
    if _due(due, CANCEL):
        taken += await _cancel(session, case, now)
        return taken
    reminders = [s for s in due if s.kind == REMINDER]
    for reminder in reminders:
        last = reminder is reminders[-1]
        sent = last and not told
        if await _claim(session, case, reminder.name, {"sent": sent}) and sent:
            await messages.remind(session, case, reminder.name)
            await _timeline(session, case, reminder.name, "dunning.reminder", {"day": reminder.day})
            taken += 1
    case.next_step_at = _next_step_at(case, await repository.done_steps(session, case.id))
    case.updated_at = now
    return taken


def _due(due: list[Step], kind: str) -> bool:
    return any(step.kind == kind for step in due)


def _next_step_at(case: DunningCase, done: set[str]) -> datetime | None:
    left = [
        step
        for step in schedule(case.failed_at)
        if step.name not in done and not (step.kind == RETRY and case.hard)
    ]
    retries = [step for step in left if step.kind == RETRY]
    case.next_retry_at = retries[0].due_at if retries else None
    return min((step.due_at for step in left), default=None)


async def _scheduled_retry(session: AsyncSession, case: DunningCase, due: list[Step]) -> int:
    """One retry for the due retry steps; none after a hard decline (the steps are skipped)."""
    attempt = due[-1]
    for step in due:
        skipped = "hard decline" if case.hard else ("missed" if step is not attempt else None)
        await _claim(session, case, step.name, {"skipped": skipped} if skipped else {})
    if case.hard:
        return 0
    case.retries_done += 1
    await _retry(session, case, attempt.name, by=RecoveredBy.retry)
    return 1


async def _retry(session: AsyncSession, case: DunningCase, step: str, *, by: RecoveredBy) -> None:
    """Ask Stripe to pay the invoice now (the case is locked: never two retries at once)."""
    outcome = await core.retry_invoice(session, case.subscription_id)
    now = utcnow()
    await _timeline(
        session,
        case,
        step,
        "dunning.retry",
        {"by": by.value, "paid": outcome.paid, "decline_code": outcome.decline_code},
    )
    if outcome.paid:
        await _recover(session, case, by, now)
        return
    case.decline_code = outcome.decline_code or case.decline_code
    case.hard = bool(outcome.hard) or is_hard(outcome.decline_code)
    case.last_failed_at = max(case.last_failed_at, now)
    case.updated_at = now


async def _recover(session: AsyncSession, case: DunningCase, by: RecoveredBy, at: datetime) -> None:
    if not await _claim(session, case, "recovered", {"by": by.value}):
        return
    was_suspended = case.state == CaseState.suspended
    _close(case, CaseState.recovered, Outcome.recovered, at)
    case.recovered_by = by.value
    if was_suspended:
        await core.reinstate(session, case.subscription_id)
    await _timeline(
        session,
        case,
        "recovered",
        "dunning.recovered",
        {"by": by.value, "reinstated": was_suspended},
    )
    await messages.alert_recovered(session, case, was_suspended=was_suspended)


async def _suspend(session: AsyncSession, case: DunningCase, now: datetime) -> int:
    if not await _claim(session, case, SUSPEND):
        return 0
    await core.suspend(session, case.subscription_id, "renewal unpaid (dunning)")
    case.state, case.suspended_at = CaseState.suspended, now
    await _timeline(session, case, SUSPEND, "dunning.suspended", {})
    await messages.notify_suspended(session, case)
    await messages.alert_suspended(session, case)
    return 1


async def _cancel(session: AsyncSession, case: DunningCase, now: datetime) -> int:
    if not await _claim(session, case, CANCEL):
        return 0
    # Closed first: the core's `subscriptions.cancelled` then finds no open case to end.
    _close(case, CaseState.cancelled, Outcome.cancelled, now)
    await core.cancel_now(session, case.subscription_id, DUNNING_CANCEL_REASON)
    await _timeline(session, case, CANCEL, "dunning.cancelled", {})
    await messages.notify_cancelled(session, case)
    await messages.alert_cancelled(session, case)
    return 1


def _close(case: DunningCase, state: CaseState, outcome: Outcome, at: datetime) -> None:
    case.state, case.outcome = state, outcome
    case.closed_at = case.updated_at = at
    case.next_step_at = case.next_retry_at = None
