from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.timeutils import SalonDateTime
from app.invoicing.models import Category, DocumentKind, LineKind, SourceKind, VatCategory
from app.invoicing.receivables import Status


class InvoiceCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "source_kind": "ticket",
                "source_id": "0192f1c2-7a00-7000-8000-000000000001",
                "client_id": "0192f1c2-7a00-7000-8000-000000000002",
            }
        }
    )

    # `ticket`: a ticket's journal record id; `booking`: a booking checked out at the till
    # (its ticket is invoiced); `gift_card`: a gift card sold and paid.
    source_kind: Literal["ticket", "booking", "gift_card"]
    source_id: UUID
    # The client the invoice is made out to: the sale's own when omitted.
    client_id: UUID | None = None
    # Printed only when it differs from the client's address (e-invoicing reform).
    delivery_address: str | None = Field(default=None, min_length=1, max_length=500)


class CreditedLine(BaseModel):
    line_id: UUID
    quantity: int = Field(ge=1, le=10_000)


class CreditNoteCreate(BaseModel):
    """Either `full` (every line, what is left of it) or `lines`."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "reason": "Produit retourné",
                "lines": [{"line_id": "0192f1c2-7a00-7000-8000-000000000003", "quantity": 1}],
            }
        }
    )

    reason: str = Field(min_length=1, max_length=200)
    full: bool = False
    lines: list[CreditedLine] | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _full_or_lines(self) -> CreditNoteCreate:
        if self.full == (self.lines is not None):
            raise ValueError("give either `full: true` or `lines`")
        if self.lines is not None and len({line.line_id for line in self.lines}) != len(self.lines):
            raise ValueError("each line at most once")
        return self


class Buyer(BaseModel):
    client_id: UUID | None
    name: str
    company_name: str | None
    siren: str | None
    siret: str | None
    vat_number: str | None
    address: str | None
    email: str | None


class InvoiceLineOut(BaseModel):
    id: UUID
    position: int
    kind: LineKind
    label: str
    quantity: int
    unit_price_excl_vat_cents: int
    vat_rate: Decimal
    vat_category: VatCategory  # S: standard; O: outside the scope of VAT
    total_excl_vat_cents: int
    vat_cents: int
    total_incl_vat_cents: int
    credited_line_id: UUID | None


class VatLine(BaseModel):
    category: VatCategory
    rate: Decimal
    base_cents: int
    vat_cents: int


class DocumentRef(BaseModel):
    id: UUID
    number: str


class InvoiceOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "0192f1c2-7a00-7000-8000-000000000004",
                "kind": "invoice",
                "number": "F2027-000001",
                "issued_at": "2027-03-22T10:15:00+01:00",
                "source_kind": "ticket",
                "total_incl_vat_cents": 3000,
            }
        }
    )

    id: UUID
    kind: DocumentKind
    number: str
    issued_at: SalonDateTime
    source_kind: SourceKind
    source_id: UUID
    credits: DocumentRef | None  # a credit note: the invoice it cancels
    reason: str | None
    buyer: Buyer
    delivery_address: str | None
    category: Category
    currency: str
    lines: list[InvoiceLineOut]
    vat: list[VatLine]
    total_excl_vat_cents: int
    total_vat_cents: int
    total_incl_vat_cents: int
    paid_cents: int  # at the desk when issued, and on the invoice since (sales on account)
    credit_notes: list[DocumentRef]  # an invoice: the credit notes that cancel it
    # A sale on account (docs/invoicing.md): when it falls due and what is still owed.
    due_on: date | None = None
    outstanding_cents: int = 0
    status: Status | None = Field(
        default=None, description="paid, partly_paid, unpaid or overdue (None: a credit note)"
    )


class InvoiceSummary(BaseModel):
    id: UUID
    kind: DocumentKind
    number: str
    issued_at: SalonDateTime
    buyer_name: str
    buyer_company: str | None
    total_incl_vat_cents: int
    due_on: date | None = None
    paid_cents: int = 0
    outstanding_cents: int = 0
    status: Status | None = None


class InvoiceEmailed(BaseModel):
    queued: bool
    to: str


class InvoicePaymentCreate(BaseModel):
    """What a business client paid on an invoice sold on account (part or all of what is
    still owed, never more)."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "method": "bank_transfer",
                "amount_cents": 12000,
                "received_on": "2027-04-10",
                "reference": "VIR ATELIER DUPONT F2027-000001",
            }
        }
    )

    method: Literal["bank_transfer", "cash"]
    amount_cents: int = Field(ge=1, le=100_000_000)
    received_on: date | None = Field(
        default=None, description="The day the money reached the salon (default: today)"
    )
    reference: str | None = Field(default=None, min_length=1, max_length=100)


class InvoicePaymentOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "payment_id": "0192f1c2-7a00-7000-8000-000000000005",
                "invoice_id": "0192f1c2-7a00-7000-8000-000000000004",
                "method": "bank_transfer",
                "amount_cents": 12000,
                "received_on": "2027-04-10",
                "reference": "VIR ATELIER DUPONT F2027-000001",
                "outstanding_cents": 0,
                "status": "paid",
            }
        }
    )

    payment_id: UUID
    invoice_id: UUID
    method: str
    amount_cents: int
    received_on: date
    reference: str | None
    outstanding_cents: int  # left owed on the invoice after this payment
    status: Status
