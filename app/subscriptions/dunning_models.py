"""The dunning's tables: one case per failed renewal invoice, and each step it took.

A case follows the issue's state machine (docs/subscriptions.md, "Dunning"): the membership
was `active`, its renewal failed and the case opens `past_due`; it ends `recovered` (the
invoice got paid) or goes `suspended` (entitlements stopped) and then `cancelled`, unless a
payment recovers it first. A step is written once under its dedupe key
`dunning:{case}:{step}` before it acts, so a double scan or a replayed event acts once."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.enums import check_in
from app.core.ids import new_id


class CaseState(StrEnum):
    past_due = "past_due"  # the renewal failed: reminders and retries run
    suspended = "suspended"  # entitlements stopped (J+15): a booking is no longer covered
    recovered = "recovered"  # the invoice got paid: closed
    cancelled = "cancelled"  # the membership ended unpaid (J+30, or ended otherwise): closed


OPEN_STATES = (CaseState.past_due, CaseState.suspended)


class Outcome(StrEnum):
    recovered = "recovered"  # the money came in
    cancelled = "cancelled"  # cancelled by the dunning at J+30: revenue lost
    ended = "ended"  # the membership ended otherwise while unpaid (staff, the client, Stripe)


class RecoveredBy(StrEnum):
    retry = "retry"  # one of our scheduled retries
    card_update = "card_update"  # the retry a new card triggered
    payment = "payment"  # paid otherwise (the invoice's page, the desk, Stripe)


class DunningCase(Base):
    __tablename__ = "dunning_cases"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    subscription_id: Mapped[UUID] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True
    )
    # The core's invoice row, and Stripe's id of it: one case per failed renewal invoice.
    invoice_id: Mapped[UUID] = mapped_column(
        ForeignKey("subscription_invoices.id", ondelete="CASCADE"), unique=True
    )
    stripe_invoice_id: Mapped[str] = mapped_column(String(255))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), server_default=sql("'EUR'"))
    state: Mapped[str] = mapped_column(String(16))
    failed_at: Mapped[datetime]
    last_failed_at: Mapped[datetime]
    decline_code: Mapped[str | None] = mapped_column(String(64))
    # The current card cannot be retried (a hard decline): only a new card earns a retry.
    hard: Mapped[bool] = mapped_column(server_default=sql("false"))
    retries_done: Mapped[int] = mapped_column(server_default=sql("0"))
    card_retries: Mapped[int] = mapped_column(server_default=sql("0"))
    next_retry_at: Mapped[datetime | None]
    # When the scan must look at the case again; None once closed.
    next_step_at: Mapped[datetime | None]
    suspended_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))
    recovered_by: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        check_in("state", CaseState, name="state_valid"),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('recovered', 'cancelled', 'ended')",
            name="outcome_valid",
        ),
        CheckConstraint(
            "recovered_by IS NULL OR recovered_by IN ('retry', 'card_update', 'payment')",
            name="recovered_by_valid",
        ),
        CheckConstraint(
            "(state IN ('past_due', 'suspended')) = (closed_at IS NULL) "
            "AND (closed_at IS NULL) = (outcome IS NULL) "
            "AND (recovered_by IS NULL OR outcome = 'recovered')",
            name="closed_consistent",
        ),
        CheckConstraint(
            "amount_cents >= 0 AND retries_done >= 0 AND card_retries >= 0",
            name="counts_valid",
        ),
        Index(
            "ix_dunning_cases_due",
            "next_step_at",
            postgresql_where=sql("closed_at IS NULL"),
        ),
    )


class DunningStep(Base):
    """What a case did, once: a retry, a reminder, the suspension, the cancellation, a card
    update's retry, an alert. The row is written before the step acts (same transaction)."""

    __tablename__ = "dunning_steps"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[UUID] = mapped_column(
        ForeignKey("dunning_cases.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[str] = mapped_column(String(64))
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    done_at: Mapped[datetime]
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=sql("'{}'::jsonb"))
