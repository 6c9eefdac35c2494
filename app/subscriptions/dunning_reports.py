"""What the dunning brought back and what it lost, over [from, to) (as the core's summary).

A case counts in the range where it happened: `opened` by its failure's instant, `recovered`
and `lost` by the instant it closed (lost: cancelled at J+30, or the membership ended otherwise
while unpaid). `open` is every case still running when the report is read."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.core.errors import ValidationFailed
from app.subscriptions.dunning_models import DunningCase, Outcome, RecoveredBy


class Amount(BaseModel):
    count: int
    amount_cents: int


class RecoveredAmount(Amount):
    by_retry: int = Field(description="Cases a scheduled retry recovered")
    by_card_update: int = Field(description="Cases the retry after a new card recovered")
    by_payment: int = Field(description="Cases paid otherwise (the invoice's page, the desk)")


class DunningReportOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "currency": "EUR",
                "opened": {"count": 4, "amount_cents": 15600},
                "recovered": {
                    "count": 3,
                    "amount_cents": 11700,
                    "by_retry": 1,
                    "by_card_update": 2,
                    "by_payment": 0,
                },
                "lost": {"count": 1, "amount_cents": 3900},
                "cancelled": 1,
                "ended": 0,
                "open": {"count": 2, "amount_cents": 7800},
                "recovery_rate_percent": 75,
            }
        }
    )

    currency: str
    opened: Amount
    recovered: RecoveredAmount
    lost: Amount
    cancelled: int = Field(description="Lost cases the dunning cancelled (J+30)")
    ended: int = Field(description="Lost cases whose membership ended otherwise while unpaid")
    open: Amount
    recovery_rate_percent: int | None = Field(
        description="Recovered among the cases closed in the range, rounded; none closed: null"
    )


async def dunning_report(
    session: AsyncSession, *, start: datetime, end: datetime
) -> DunningReportOut:
    """Recovered vs lost revenue from dunning, and the cases by outcome."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationFailed("from and to need their UTC offset.")
    if end <= start:
        raise ValidationFailed("to must come after from.")
    count, amount = func.count(DunningCase.id), func.coalesce(func.sum(DunningCase.amount_cents), 0)
    opened = (
        await session.execute(
            select(count, amount).where(DunningCase.failed_at >= start, DunningCase.failed_at < end)
        )
    ).one()
    closed = (
        await session.execute(
            select(DunningCase.outcome, DunningCase.recovered_by, count, amount)
            .where(DunningCase.closed_at >= start, DunningCase.closed_at < end)
            .group_by(DunningCase.outcome, DunningCase.recovered_by)
        )
    ).all()
    still_open = (
        await session.execute(select(count, amount).where(DunningCase.closed_at.is_(None)))
    ).one()
    by = {(row[0], row[1]): (int(row[2]), int(row[3])) for row in closed}

    def total(outcome: Outcome, recovered_by: RecoveredBy | None = None) -> tuple[int, int]:
        rows = [v for (o, r), v in by.items() if o == outcome and recovered_by in (None, r)]
        return sum(c for c, _ in rows), sum(a for _, a in rows)

    recovered, cancelled, ended = (
        total(Outcome.recovered),
        total(Outcome.cancelled),
        total(Outcome.ended),
    )
    lost = (cancelled[0] + ended[0], cancelled[1] + ended[1])
    closed_count = recovered[0] + lost[0]
    return DunningReportOut(
        currency=get_settings().salon.currency,
        opened=Amount(count=int(opened[0]), amount_cents=int(opened[1])),
        recovered=RecoveredAmount(
            count=recovered[0],
            amount_cents=recovered[1],
            by_retry=total(Outcome.recovered, RecoveredBy.retry)[0],
            by_card_update=total(Outcome.recovered, RecoveredBy.card_update)[0],
            by_payment=total(Outcome.recovered, RecoveredBy.payment)[0],
        ),
        lost=Amount(count=lost[0], amount_cents=lost[1]),
        cancelled=cancelled[0],
        ended=ended[0],
        open=Amount(count=int(still_open[0]), amount_cents=int(still_open[1])),
        recovery_rate_percent=(recovered[0] * 100 + closed_count // 2) // closed_count
        if closed_count
        else None,
    )
