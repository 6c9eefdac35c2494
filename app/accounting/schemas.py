"""The books' API bodies: the account mapping, periods, entries and their lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from app.accounting.models import Account, Entry, EntryLine, Journal, Period
from app.core.timeutils import SalonDateTime

ACCOUNT_NUMBER = r"^[1-7][0-9A-Z]{1,19}$"


class AccountOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"key": "cash", "number": "530000", "label": "Caisse"},
        }
    )

    key: str = Field(description="The role the code posts to (cash, services_20, vat_20…)")
    number: str
    label: str

    @classmethod
    def of(cls, account: Account) -> AccountOut:
        return cls(key=account.key, number=account.number, label=account.label)


class AccountsOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"accounts": [{"key": "cash", "number": "530000", "label": "Caisse"}]}
        }
    )

    accounts: list[AccountOut]


class AccountUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"example": {"number": "531000", "label": "Caisse accueil"}},
    )

    number: str | None = Field(default=None, pattern=ACCOUNT_NUMBER, max_length=20)
    label: str | None = Field(default=None, min_length=1, max_length=200)


class JournalOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"code": "VE", "label": "Ventes"}})

    code: str
    label: str

    @classmethod
    def of(cls, journal: Journal) -> JournalOut:
        return cls(code=journal.code, label=journal.label)


class JournalsOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"example": {"journals": [{"code": "VE", "label": "Ventes"}]}}
    )

    journals: list[JournalOut]


PERIOD_EXAMPLE: dict[str, JsonValue] = {
    "year": 2027,
    "month": 3,
    "start_date": "2027-03-01",
    "end_date": "2027-03-31",
    "locked": True,
    "locked_at": "2027-04-05T09:00:00+02:00",
}
LINE_EXAMPLE: dict[str, JsonValue] = {
    "account_key": "cash",
    "account_number": "530000",
    "account_label": "Caisse",
    "label": "Ticket T2027-000001",
    "debit_cents": 3355,
    "credit_cents": 0,
}


class PeriodOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": PERIOD_EXAMPLE})

    year: int
    month: int
    start_date: date
    end_date: date
    locked: bool
    locked_at: SalonDateTime | None

    @classmethod
    def of(cls, period: Period) -> PeriodOut:
        return cls(
            year=period.year,
            month=period.month,
            start_date=period.start_date,
            end_date=period.end_date,
            locked=period.locked_at is not None,
            locked_at=period.locked_at,
        )


class PeriodsOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"example": {"year": 2027, "periods": [PERIOD_EXAMPLE]}}
    )

    year: int
    periods: list[PeriodOut]


class EntryLineOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": LINE_EXAMPLE})

    account_key: str
    account_number: str
    account_label: str
    label: str
    debit_cents: int
    credit_cents: int
    # A business client's auxiliary account on a 411 line (the FEC's CompAuxNum/CompAuxLib).
    aux_number: str | None = None
    aux_label: str | None = None

    @classmethod
    def of(cls, line: EntryLine) -> EntryLineOut:
        return cls(
            account_key=line.account_key,
            account_number=line.account_number,
            account_label=line.account_label,
            label=line.label,
            debit_cents=line.debit_cents,
            credit_cents=line.credit_cents,
            aux_number=line.aux_number,
            aux_label=line.aux_label,
        )


class EntryOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "01930000-0000-7000-8000-000000000001",
                "journal": "VE",
                "number": "VE000001",
                "fiscal_year": 2027,
                "entry_date": "2027-03-22",
                "label": "Ticket T2027-000001",
                "document_ref": "T2027-000001",
                "document_date": "2027-03-22",
                "source_kind": "ticket",
                "journal_record_id": "01930000-0000-7000-8000-000000000002",
                "payment_id": None,
                "refund_id": None,
                "gift_card_id": None,
                "created_at": "2027-03-22T10:31:00+01:00",
                "lines": [LINE_EXAMPLE],
            }
        }
    )

    id: UUID
    journal: str
    number: str = Field(description="EcritureNum: continuous per journal and fiscal year")
    fiscal_year: int
    entry_date: date
    label: str
    document_ref: str
    document_date: date
    source_kind: str
    journal_record_id: UUID | None
    payment_id: UUID | None
    refund_id: UUID | None
    gift_card_id: UUID | None
    payout_id: UUID | None = None
    created_at: SalonDateTime
    lines: list[EntryLineOut]

    @classmethod
    def of(cls, entry: Entry, lines: list[EntryLine]) -> EntryOut:
        return cls(
            id=entry.id,
            journal=entry.journal_code,
            number=entry_number(entry.journal_code, entry.number),
            fiscal_year=entry.fiscal_year,
            entry_date=entry.entry_date,
            label=entry.label,
            document_ref=entry.document_ref,
            document_date=entry.document_date,
            source_kind=entry.source_kind,
            journal_record_id=entry.journal_record_id,
            payment_id=entry.payment_id,
            refund_id=entry.refund_id,
            gift_card_id=entry.gift_card_id,
            payout_id=entry.payout_id,
            created_at=entry.created_at,
            lines=[EntryLineOut.of(line) for line in lines],
        )


def entry_number(journal: str, number: int) -> str:
    """EcritureNum as the FEC and the API write it: the journal's code and six digits."""
    return f"{journal}{number:06d}"


class VatLineOut(BaseModel):
    box: str | None = Field(description="The CA3 line (08, 09, 9B); none for 2,1 %")
    rate: Decimal
    base_cents: int
    vat_cents: int
    base_euros: int = Field(description="Rounded half up to whole euros, as the return asks")
    vat_euros: int
    entries: list[str] = Field(description="The entries behind the figure (EcritureNum)")


class NonTaxableOut(BaseModel):
    box: str
    amount_cents: int
    amount_euros: int
    entries: list[str]


class VatReportOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "date_from": "2027-03-01",
                "date_to": "2027-03-31",
                "lines": [
                    {
                        "box": "08",
                        "rate": "20.00",
                        "base_cents": 16250,
                        "vat_cents": 3250,
                        "base_euros": 163,
                        "vat_euros": 33,
                        "entries": ["CA000001", "VE000001"],
                    }
                ],
                "non_taxable": {
                    "box": "E2",
                    "amount_cents": 2700,
                    "amount_euros": 27,
                    "entries": ["OD000001"],
                },
                "vat_collected_cents": 3250,
                "boxes": {"16": 33, "19": 0, "20": 0, "23": 0, "25": 0, "28": 33},
            }
        }
    )

    date_from: date
    date_to: date
    lines: list[VatLineOut]
    non_taxable: NonTaxableOut = Field(description="Arrhes kept: outside the scope of VAT")
    vat_collected_cents: int = Field(description="Before rounding: the VAT accounts' movement")
    boxes: dict[str, int] = Field(
        description="16 collected, 19/20 deductible, 23 total deductible, 25 credit, 28 net due"
    )


class TrialBalanceLine(BaseModel):
    account_number: str
    account_label: str
    debit_cents: int
    credit_cents: int
    balance_cents: int = Field(description="Debits less credits")


class TrialBalanceOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "year": 2027,
                "accounts": [
                    {
                        "account_number": "530000",
                        "account_label": "Caisse",
                        "debit_cents": 8355,
                        "credit_cents": 0,
                        "balance_cents": 8355,
                    }
                ],
                "debit_cents": 8355,
                "credit_cents": 8355,
            }
        }
    )

    year: int
    accounts: list[TrialBalanceLine]
    debit_cents: int
    credit_cents: int


class LedgerLineOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "01930000-0000-7000-8000-000000000003",
                "entry_id": "01930000-0000-7000-8000-000000000001",
                "journal": "VE",
                "number": "VE000001",
                "entry_date": "2027-03-22",
                "document_ref": "T2027-000001",
                "label": "Ticket T2027-000001",
                "debit_cents": 3355,
                "credit_cents": 0,
            }
        }
    )

    id: UUID
    entry_id: UUID
    journal: str
    number: str
    entry_date: date
    document_ref: str
    label: str
    debit_cents: int
    credit_cents: int

    @classmethod
    def of(cls, line: EntryLine, entry: Entry) -> LedgerLineOut:
        return cls(
            id=line.id,
            entry_id=entry.id,
            journal=entry.journal_code,
            number=entry_number(entry.journal_code, entry.number),
            entry_date=entry.entry_date,
            document_ref=entry.document_ref,
            label=line.label,
            debit_cents=line.debit_cents,
            credit_cents=line.credit_cents,
        )


class OpenInvoiceOut(BaseModel):
    invoice_id: UUID
    number: str
    issued_on: date
    due_on: date
    total_cents: int  # the invoice, VAT included
    paid_cents: int  # at the desk and on the invoice since
    credited_cents: int  # by credit notes
    outstanding_cents: int
    days_overdue: int  # 0 while not due


class AgingOut(BaseModel):
    """What is owed by how late it is, at the report's date."""

    not_due_cents: int = 0
    days_1_30_cents: int = 0
    days_31_60_cents: int = 0
    days_61_90_cents: int = 0
    over_90_cents: int = 0


class ClientReceivablesOut(BaseModel):
    client_id: UUID | None
    aux_number: str | None  # her auxiliary account (CompAuxNum)
    company: str
    invoices: list[OpenInvoiceOut]
    aging: AgingOut
    outstanding_cents: int


class ReceivablesOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "as_of": "2027-05-31",
                "clients": [
                    {
                        "client_id": "01930000-0000-7000-8000-000000000009",
                        "aux_number": "C000001",
                        "company": "Atelier Dupont SARL",
                        "invoices": [
                            {
                                "invoice_id": "01930000-0000-7000-8000-000000000004",
                                "number": "F2027-000001",
                                "issued_on": "2027-03-22",
                                "due_on": "2027-04-21",
                                "total_cents": 21100,
                                "paid_cents": 10000,
                                "credited_cents": 0,
                                "outstanding_cents": 11100,
                                "days_overdue": 40,
                            }
                        ],
                        "aging": {"days_31_60_cents": 11100},
                        "outstanding_cents": 11100,
                    }
                ],
                "aging": {"days_31_60_cents": 11100},
                "outstanding_cents": 11100,
                "ledger_balance_cents": 11100,
            }
        }
    )

    as_of: date
    clients: list[ClientReceivablesOut]
    aging: AgingOut
    outstanding_cents: int
    # The 411 accounts' balance in the books at the end of `as_of` (equal to the total while
    # every event is booked and no locked period pushed an entry to a later date).
    ledger_balance_cents: int


class ReconciledLineOut(BaseModel):
    kind: str = Field(description="charge, refund, fee, adjustment, payout_failure, other")
    provider_ref: str
    source_ref: str | None
    payment_id: UUID | None
    refund_id: UUID | None
    amount_cents: int
    fee_cents: int
    net_cents: int


class ReconciledPayoutOut(BaseModel):
    id: UUID
    reference: str
    status: str
    arrival_date: date
    gross_cents: int
    fee_cents: int
    fees_booked_cents: int = Field(description="Of the fees, those booked at capture (PayPal)")
    net_cents: int
    entries: list[str] = Field(description="Its entries in journal BQ (EcritureNum)")
    matched: list[ReconciledLineOut] = Field(description="Lines that are our payments/refunds")
    unmatched: list[ReconciledLineOut] = Field(description="Lines that match none of ours")


class NotPaidOutOut(BaseModel):
    payment_id: UUID
    method: str
    amount_cents: int
    refunded_cents: int
    succeeded_at: SalonDateTime


class ProviderReconciliationOut(BaseModel):
    provider: str
    account_number: str
    account_label: str
    opening_balance_cents: int = Field(description="The clearing account before `date_from`")
    received_cents: int = Field(description="Payments and tickets' tenders booked to it")
    refunded_cents: int = Field(description="Refunds and credit tickets booked out of it")
    fees_cents: int = Field(description="Provider fees booked out of it (627800)")
    paid_out_cents: int = Field(description="Net payouts to the bank (less failed ones)")
    other_cents: int = Field(description="Any other movement of the account")
    closing_balance_cents: int = Field(
        description="The account's ledger balance at `date_to`: what the provider still holds"
    )
    payouts: list[ReconciledPayoutOut]
    not_paid_out: list[NotPaidOutOut] = Field(
        description="Our payments taken in the period that no payout carried yet"
    )


class ReconciliationOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "date_from": "2027-03-01",
                "date_to": "2027-03-31",
                "providers": [
                    {
                        "provider": "stripe",
                        "account_number": "467200",
                        "account_label": "Stripe - compte d'attente",
                        "opening_balance_cents": 0,
                        "received_cents": 12000,
                        "refunded_cents": 0,
                        "fees_cents": 210,
                        "paid_out_cents": 11790,
                        "other_cents": 0,
                        "closing_balance_cents": 0,
                        "payouts": [],
                        "not_paid_out": [],
                    }
                ],
            }
        }
    )

    date_from: date
    date_to: date
    providers: list[ProviderReconciliationOut]
