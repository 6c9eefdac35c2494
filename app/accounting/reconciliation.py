"""The bank reconciliation of provider payouts (docs/accounting.md, "Reconciling provider
payouts"): for each provider, its clearing account over a period, from the ledger (opening
balance, money taken, refunds, fees, payouts to the bank, closing balance: what the provider
still holds for the salon), the payouts that arrived with the lines they carried (ours and
those that are none of ours), and our payments that no payout carried yet."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounting import chart, repository
from app.accounting.models import SourceKind
from app.accounting.schemas import (
    NotPaidOutOut,
    ProviderReconciliationOut,
    ReconciledLineOut,
    ReconciledPayoutOut,
    ReconciliationOut,
)
from app.core.errors import ValidationFailed
from app.core.timeutils import local_day_span, zone
from app.payments import public as payments

PROVIDERS = ("sumup", "stripe", "paypal")
_RECEIVED = {SourceKind.payment, SourceKind.ticket}
_REFUNDED = {SourceKind.refund, SourceKind.credit_ticket}
_PAYOUTS = {SourceKind.payout, SourceKind.payout_failed}
_LISTED = _RECEIVED | _REFUNDED | _PAYOUTS | {SourceKind.provider_fee}


async def reconciliation(
    session: AsyncSession, *, provider: str | None, date_from: date, date_to: date
) -> ReconciliationOut:
    if date_to < date_from:
        raise ValidationFailed("`date_to` is before `date_from`.")
    return ReconciliationOut(
        date_from=date_from,
        date_to=date_to,
        providers=[
            await _provider(session, name, date_from, date_to)
            for name in ([provider] if provider else PROVIDERS)
        ],
    )


async def _provider(
    session: AsyncSession, provider: str, date_from: date, date_to: date
) -> ProviderReconciliationOut:
    key = chart.provider_account(provider)
    account = (await repository.accounts_by_key(session, {key}))[key]
    opening = await repository.role_balance(session, key, before=date_from)
    moved = await repository.role_movements(session, key, date_from, date_to)
    # A payout's entry credits the clearing account with net + fees in one line: its fees
    # are the 627800 lines beside it.
    payout_fees = await repository.role_beside(
        session, chart.FEES, key, {str(kind) for kind in _PAYOUTS}, date_from, date_to
    )

    def of(kinds: set[SourceKind]) -> int:
        return sum(moved.get(str(kind), 0) for kind in kinds)

    fees = -of({SourceKind.provider_fee}) + payout_fees
    return ProviderReconciliationOut(
        provider=provider,
        account_number=account.number,
        account_label=account.label,
        opening_balance_cents=opening,
        received_cents=of(_RECEIVED),
        refunded_cents=-of(_REFUNDED),
        fees_cents=fees,
        paid_out_cents=-of(_PAYOUTS) - payout_fees,
        other_cents=sum(amount for kind, amount in moved.items() if kind not in _LISTED),
        closing_balance_cents=await repository.role_balance(
            session, key, before=date_to + timedelta(days=1)
        ),
        payouts=await _payouts(session, provider, date_from, date_to),
        not_paid_out=await _not_paid_out(session, provider, date_from, date_to),
    )


async def _payouts(
    session: AsyncSession, provider: str, date_from: date, date_to: date
) -> list[ReconciledPayoutOut]:
    found = await payments.payouts_arrived(
        session, payments.PayoutProvider(provider), date_from, date_to
    )
    numbers = await repository.numbers_by_payout(session, {payout.id for payout in found})
    return [
        ReconciledPayoutOut(
            id=payout.id,
            reference=payout.reference,
            status=payout.status,
            arrival_date=payout.arrival_date,
            gross_cents=payout.gross_cents,
            fee_cents=payout.fee_cents,
            fees_booked_cents=payout.fees_booked_cents,
            net_cents=payout.net_cents,
            entries=numbers[payout.id],
            matched=[_line(line) for line in payout.lines if line.payment_id is not None],
            unmatched=[_line(line) for line in payout.lines if line.payment_id is None],
        )
        for payout in found
    ]


def _line(line: payments.PayoutLineView) -> ReconciledLineOut:
    return ReconciledLineOut(
        kind=line.kind,
        provider_ref=line.provider_ref,
        source_ref=line.source_ref,
        payment_id=line.payment_id,
        refund_id=line.refund_id,
        amount_cents=line.amount_cents,
        fee_cents=line.fee_cents,
        net_cents=line.net_cents,
    )


async def _not_paid_out(
    session: AsyncSession, provider: str, date_from: date, date_to: date
) -> list[NotPaidOutOut]:
    tz = zone()
    found = await payments.payments_not_paid_out(
        session,
        payments.PayoutProvider(provider),
        local_day_span(date_from, tz)[0],
        local_day_span(date_to, tz)[1],
    )
    return [
        NotPaidOutOut(
            payment_id=row.payment_id,
            method=row.method,
            amount_cents=row.amount_cents,
            refunded_cents=row.refunded_cents,
            succeeded_at=row.succeeded_at,
        )
        for row in found
    ]
