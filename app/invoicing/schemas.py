from __future__ import annotations

from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.timeutils import SalonDateTime
from app.invoicing.models import Category, DocumentKind, LineKind, SourceKind, VatCategory


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
    paid_cents: int
    credit_notes: list[DocumentRef]  # an invoice: the credit notes that cancel it


class InvoiceSummary(BaseModel):
    id: UUID
    kind: DocumentKind
    number: str
    issued_at: SalonDateTime
    buyer_name: str
    buyer_company: str | None
    total_incl_vat_cents: int


class InvoiceEmailed(BaseModel):
    queued: bool
    to: str
