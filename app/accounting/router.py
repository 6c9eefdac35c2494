"""The books over HTTP, for managers and the owner: the account mapping the accountant edits,
the journals, the entries, the periods and their locks, the FEC of a fiscal year, and what
business clients owe (the receivables report)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from app.accounting import fec, reads, receivables, reconciliation, reports, service
from app.accounting.errors import AccountNotFound, BooksNotUpToDate, PeriodNotFound
from app.accounting.schemas import (
    ACCOUNT_NUMBER,
    AccountOut,
    AccountsOut,
    AccountUpdate,
    EntryOut,
    JournalsOut,
    LedgerLineOut,
    PeriodOut,
    PeriodsOut,
    ReceivablesOut,
    ReconciliationOut,
    TrialBalanceOut,
    VatReportOut,
)
from app.auth.public import DbSession, Manager
from app.core.db import ReadSession
from app.core.errors import ValidationFailed, error_responses
from app.core.pagination import Page, Pagination

router = APIRouter(prefix="/api/v1/accounting", tags=["accounting"])
Year = Annotated[int, Path(ge=2000, le=2999)]
Month = Annotated[int, Path(ge=1, le=12)]
JournalFilter = Annotated[str | None, Query(pattern=r"^[A-Z]{2,4}$")]


@router.get("/accounts")
async def list_accounts(_: Manager, session: DbSession) -> AccountsOut:
    """The mapping: each role the books post to and the account the accountant chose."""
    return await reads.accounts(session)


@router.patch("/accounts/{account_key}", responses=error_responses(AccountNotFound))
async def update_account(
    account_key: Annotated[str, Path(max_length=40)],
    body: AccountUpdate,
    _: Manager,
    session: DbSession,
) -> AccountOut:
    """Map a role to another account; entries already written keep the account they had."""
    account = await service.update_account(
        session, account_key, number=body.number, label=body.label
    )
    return AccountOut.of(account)


@router.get("/journals")
async def list_journals(_: Manager, session: DbSession) -> JournalsOut:
    return await reads.journals(session)


@router.get("/entries")
async def list_entries(
    _: Manager,
    session: DbSession,
    page: Pagination,
    journal: JournalFilter = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Page[EntryOut]:
    """Entries with their lines, by fiscal year, journal and number."""
    return await reads.entries(session, page, journal=journal, date_from=date_from, date_to=date_to)


@router.get("/ledger")
async def general_ledger(
    _: Manager,
    session: ReadSession,
    page: Pagination,
    account_number: Annotated[str, Query(pattern=ACCOUNT_NUMBER, max_length=20)],
    year: Annotated[int, Query(ge=2000, le=2999)],
) -> Page[LedgerLineOut]:
    """The general ledger of one account (grand livre): its lines of the fiscal year."""
    return await reads.ledger(session, page, account_number=account_number, year=year)


@router.get("/periods/{year}")
async def list_periods(year: Year, _: Manager, session: DbSession) -> PeriodsOut:
    """The twelve months of a fiscal year and which are locked."""
    found = await service.periods(session, year)
    return PeriodsOut(year=year, periods=[PeriodOut.of(p) for p in found])


@router.post("/periods/{year}/{month}/lock", responses=error_responses(PeriodNotFound))
async def lock_period(year: Year, month: Month, actor: Manager, session: DbSession) -> PeriodOut:
    """Lock a month for good: what happens in it later is written in the next open one."""
    period = await service.lock_period(session, year, month, actor_user_id=actor.user_id)
    return PeriodOut.of(period)


@router.get("/vat-report", responses=error_responses(ValidationFailed))
async def vat_report(
    _: Manager,
    session: ReadSession,
    year: Annotated[int, Query(ge=2000, le=2999)],
    month: Annotated[int | None, Query(ge=1, le=12)] = None,
    quarter: Annotated[int | None, Query(ge=1, le=4)] = None,
) -> VatReportOut:
    """The CA3 figures of a month or a quarter, from the entries, each with its entries."""
    date_from, date_to = reports.period_of(year, month, quarter)
    return await reports.vat_report(session, date_from, date_to)


@router.get("/trial-balance/{year}")
async def trial_balance(year: Year, _: Manager, session: ReadSession) -> TrialBalanceOut:
    """The balance of every account the year's entries touch (balance générale)."""
    return await reports.trial_balance(session, year)


@router.get("/receivables")
async def receivables_report(
    _: Manager,
    session: ReadSession,
    as_of: Annotated[date | None, Query(ge=date(2000, 1, 1), le=date(2999, 12, 31))] = None,
) -> ReceivablesOut:
    """What business clients owe at the end of `as_of` (today by default): per client, her
    invoices sold on account still open (issued, due, total, paid, outstanding, days
    overdue), the aging (not due, 1 to 30, 31 to 60, 61 to 90, over 90 days) and the
    totals, with the 411 balance of the books that day, which the total equals."""
    return await receivables.receivables(session, as_of or receivables.today())


@router.get("/reconciliation", responses=error_responses(ValidationFailed))
async def payout_reconciliation(
    _: Manager,
    session: ReadSession,
    date_from: date,
    date_to: date,
    provider: Annotated[Literal["stripe", "sumup", "paypal"] | None, Query()] = None,
) -> ReconciliationOut:
    """Provider payouts against the clearing accounts (467100 SumUp, 467200 Stripe, 467300
    PayPal): each account's opening balance, money taken, refunds, fees, payouts to the bank
    and closing balance (its ledger balance: what the provider still holds), the payouts that
    arrived with their matched and unmatched lines, and our payments no payout carried yet."""
    return await reconciliation.reconciliation(
        session, provider=provider, date_from=date_from, date_to=date_to
    )


@router.post(
    "/fec/{year}",
    response_class=StreamingResponse,
    responses={
        **error_responses(BooksNotUpToDate),
        200: {"content": {"text/plain": {}}, "description": "The FEC file"},
    },
)
async def export_fec(year: Year, actor: Manager, session: DbSession) -> StreamingResponse:
    """The year's FEC (LPF A47 A-1), streamed. Exporting locks the year and its periods (a
    POST: it changes them), so the file never changes once exported."""
    await service.lock_year(session, year, actor_user_id=actor.user_id, exported=True)
    return StreamingResponse(
        fec.stream(year),
        media_type=f"text/plain; charset={fec.ENCODING}",
        headers={"Content-Disposition": f'attachment; filename="{fec.file_name(year)}"'},
    )
