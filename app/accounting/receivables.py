"""Business clients in the books: each one's auxiliary account in the receivables (411,
a stable code `C000001` given the first time the books post to her, her company's name as
its label), and the receivables report of a day: her open invoices, how late, in aging
buckets, tied to the 411 balance of that day."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounting import repository
from app.accounting.models import ClientAccount
from app.accounting.postings import Aux
from app.accounting.schemas import (
    AgingOut,
    ClientReceivablesOut,
    OpenInvoiceOut,
    ReceivablesOut,
)
from app.clients import public as clients
from app.core.clock import utcnow
from app.core.numbering import next_number
from app.core.timeutils import zone
from app.invoicing import public as invoicing

SERIES = "accounting-client-accounts"


async def client_aux(session: AsyncSession, client_id: UUID | None) -> Aux | None:
    """The client's auxiliary account, opened on first use; its label follows her company's
    name (the FEC prints today's)."""
    if client_id is None:
        return None
    billing = await clients.billing_details(session, client_id)
    name = (billing.company_name or billing.name)[:200]
    found = await repository.client_account(session, client_id)
    if found is None:
        now = utcnow()
        number = f"C{await next_number(session, SERIES):06d}"
        await repository.add_client_account(
            session,
            ClientAccount(
                client_id=client_id, number=number, label=name, created_at=now, updated_at=now
            ),
        )
        found = await repository.client_account(session, client_id)
        if found is None:  # cannot happen: inserted or found just above
            return None
    if found.label != name:
        found.label, found.updated_at = name, utcnow()
    return Aux(found.number, found.label)


def today() -> date:
    return utcnow().astimezone(zone()).date()


def _bucket(aging: dict[str, int], days_overdue: int, cents: int) -> None:
    if days_overdue <= 0:
        key = "not_due_cents"
    elif days_overdue <= 30:
        key = "days_1_30_cents"
    elif days_overdue <= 60:
        key = "days_31_60_cents"
    elif days_overdue <= 90:
        key = "days_61_90_cents"
    else:
        key = "over_90_cents"
    aging[key] = aging.get(key, 0) + cents


async def receivables(session: AsyncSession, as_of: date) -> ReceivablesOut:
    """Per business client, the invoices sold on account still owed at the end of `as_of`,
    oldest first; the aging of what is owed; the 411 balance of the books that day."""
    owed = await invoicing.open_receivables(session, as_of)
    accounts = await repository.client_accounts(
        session, {r.client_id for r in owed if r.client_id is not None}
    )
    grouped: dict[UUID | None, list[invoicing.Receivable]] = {}
    for receivable in owed:
        grouped.setdefault(receivable.client_id, []).append(receivable)
    total_aging: dict[str, int] = {}
    rows = []
    for client_id, found in grouped.items():
        aging: dict[str, int] = {}
        for r in found:
            _bucket(aging, r.days_overdue, r.outstanding_cents)
            _bucket(total_aging, r.days_overdue, r.outstanding_cents)
        account = accounts.get(client_id) if client_id else None
        rows.append(
            ClientReceivablesOut(
                client_id=client_id,
                aux_number=account.number if account else None,
                company=account.label if account else found[0].company,
                invoices=[
                    OpenInvoiceOut(
                        invoice_id=r.invoice_id,
                        number=r.number,
                        issued_on=r.issued_on,
                        due_on=r.due_on,
                        total_cents=r.total_cents,
                        paid_cents=r.paid_cents,
                        credited_cents=r.credited_cents,
                        outstanding_cents=r.outstanding_cents,
                        days_overdue=r.days_overdue,
                    )
                    for r in found
                ],
                aging=AgingOut(**aging),
                outstanding_cents=sum(r.outstanding_cents for r in found),
            )
        )
    rows.sort(key=lambda row: (row.company.casefold(), str(row.client_id)))
    ledger, _ = await repository.client_balance(session, through=as_of)
    return ReceivablesOut(
        as_of=as_of,
        clients=rows,
        aging=AgingOut(**total_aging),
        outstanding_cents=sum(row.outstanding_cents for row in rows),
        ledger_balance_cents=ledger,
    )
