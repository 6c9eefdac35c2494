"""What the journal stores, as frozen pydantic models: the payload of each kind of record.

Amounts are integer cents; a VAT rate is a percentage with two decimals ("20.00"); no float
anywhere, so a payload read back from PostgreSQL serialises to the very bytes that were
signed. A credit ticket or a cancellation carries negative amounts: closings just add.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal, Self
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator


def _two_decimals(rate: Decimal) -> Decimal:
    return rate.quantize(Decimal("0.01"))


VatRate = Annotated[Decimal, Field(ge=0, le=100), AfterValidator(_two_decimals)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Chain(StrEnum):
    sales = "sales"  # tickets, corrections, cash movements, registers, closings
    training = "training"  # the training mode: same records, apart from the real chain
    jet = "jet"  # the journal of technical events


class RecordKind(StrEnum):
    """What another domain appends (`journal.public.append`)."""

    ticket = "ticket"
    credit_ticket = "credit_ticket"
    cancellation = "cancellation"
    duplicate = "duplicate"  # a reprint, marked DUPLICATA
    cash_movement = "cash_movement"
    register_opened = "register_opened"
    register_closed = "register_closed"


class ClosingLevel(StrEnum):
    day = "day"  # the Z
    month = "month"
    year = "year"


CLOSING_KINDS = {level: f"closing_{level}" for level in ClosingLevel}
# The records whose amounts closings add up.
SALE_KINDS = (RecordKind.ticket, RecordKind.credit_ticket, RecordKind.cancellation)


class TenderMethod(StrEnum):
    cash = "cash"
    card = "card"
    gift_card = "gift_card"
    bank_transfer = "bank_transfer"
    deposit = "deposit"  # paid online before the visit
    other = "other"
    # Sold on account to a business client: invoiced, paid later (docs/till.md).
    on_account = "on_account"


# How a receipt and the reports name each tender, in French.
TENDER_LABELS = {
    TenderMethod.cash: "Espèces",
    TenderMethod.card: "Carte bancaire",
    TenderMethod.gift_card: "Carte cadeau",
    TenderMethod.bank_transfer: "Virement",
    TenderMethod.deposit: "Acompte versé en ligne",
    TenderMethod.other: "Autre",
    TenderMethod.on_account: "En compte (sur facture)",
}


class TicketLine(Frozen):
    label: str = Field(min_length=1, max_length=200)
    quantity: int
    unit_price_cents: int  # as the client reads it, VAT included
    total_excl_vat_cents: int
    vat_rate: VatRate
    # Who did the service (printed on the receipt). Added after schema version 1's first
    # records: a stored payload without it still verifies (the stored JSON is what is signed).
    practitioners: tuple[str, ...] = ()
    # Added with the orders (optional, like `practitioners`): what was sold, for the reports,
    # and the discount taken off the line (VAT included, so that the line pays
    # quantity x unit price - discount).
    item_kind: Literal["service", "product"] | None = None
    item_id: UUID | None = None
    practitioner_ids: tuple[UUID, ...] = ()
    discount_cents: int = 0
    discount_reason: str | None = Field(default=None, max_length=200)

    @property
    def amount_incl_vat_cents(self) -> int:
        """What the line costs the client: quantity x unit price, less its discount."""
        return self.quantity * self.unit_price_cents - self.discount_cents


class VatAmount(Frozen):
    rate: VatRate
    base_cents: int  # without VAT
    vat_cents: int


class TenderAmount(Frozen):
    method: TenderMethod
    amount_cents: int


class CorrectedTicket(Frozen):
    number: str
    record_id: UUID | None = None


class TicketPayload(Frozen):
    """A ticket, a credit ticket (negative amounts, `corrects` the original) or a
    cancellation (the same, for a ticket voided before the day's closing)."""

    number: str = Field(min_length=1, max_length=40)
    issued_at: AwareDatetime
    till: str = Field(min_length=1, max_length=80)
    currency: str = Field(default="EUR", min_length=3, max_length=3)
    lines: tuple[TicketLine, ...] = Field(min_length=1)
    total_excl_vat_cents: int
    vat: tuple[VatAmount, ...]
    total_incl_vat_cents: int
    tenders: tuple[TenderAmount, ...]
    change_cents: int = Field(default=0, ge=0)
    corrects: CorrectedTicket | None = None
    # Added with the orders (optional): the order it closes, and the client's name printed on
    # the note unless she objects (arrêté 83-50/A).
    order_id: UUID | None = None
    client_name: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _sums(self) -> Self:
        if sum(line.total_excl_vat_cents for line in self.lines) != self.total_excl_vat_cents:
            raise ValueError("the lines do not sum to total_excl_vat_cents")
        if sum(v.base_cents for v in self.vat) != self.total_excl_vat_cents:
            raise ValueError("the VAT bases do not sum to total_excl_vat_cents")
        vat = sum(v.vat_cents for v in self.vat)
        if self.total_excl_vat_cents + vat != self.total_incl_vat_cents:
            raise ValueError("total_incl_vat_cents is not the total without VAT plus VAT")
        paid = sum(t.amount_cents for t in self.tenders) - self.change_cents
        if paid != self.total_incl_vat_cents:
            raise ValueError("the tenders less the change do not pay total_incl_vat_cents")
        if len({v.rate for v in self.vat}) != len(self.vat):
            raise ValueError("one VAT amount per rate")
        return self


class DuplicatePayload(Frozen):
    """A reprint of a ticket: its count is printed with "DUPLICATA"."""

    ticket_number: str
    copy_number: int = Field(ge=1)
    printed_at: AwareDatetime
    format: str = Field(default="pdf", max_length=16)


class CashMovementPayload(Frozen):
    direction: Literal["in", "out"]
    amount_cents: int = Field(gt=0)
    reason: str = Field(min_length=1, max_length=200)
    at: AwareDatetime
    actor_id: UUID | None = None  # who took the cash in or out (optional, added later)


class RegisterOpenedPayload(Frozen):
    float_cents: int = Field(ge=0)
    at: AwareDatetime


class DenominationCount(Frozen):
    value_cents: int = Field(gt=0)
    count: int = Field(ge=0)


class RegisterClosedPayload(Frozen):
    """The counted cash per denomination; the difference is recorded, never hidden."""

    expected_cents: int
    counted_cents: int
    difference_cents: int
    denominations: tuple[DenominationCount, ...] = ()
    at: AwareDatetime

    @model_validator(mode="after")
    def _difference(self) -> Self:
        if self.counted_cents - self.expected_cents != self.difference_cents:
            raise ValueError("difference_cents is not counted_cents - expected_cents")
        if self.denominations and self.counted_cents != sum(
            d.value_cents * d.count for d in self.denominations
        ):
            raise ValueError("the denominations do not sum to counted_cents")
        return self


Payload = (
    TicketPayload
    | DuplicatePayload
    | CashMovementPayload
    | RegisterOpenedPayload
    | RegisterClosedPayload
)

PAYLOADS: dict[RecordKind, type[Frozen]] = {
    RecordKind.ticket: TicketPayload,
    RecordKind.credit_ticket: TicketPayload,
    RecordKind.cancellation: TicketPayload,
    RecordKind.duplicate: DuplicatePayload,
    RecordKind.cash_movement: CashMovementPayload,
    RecordKind.register_opened: RegisterOpenedPayload,
    RecordKind.register_closed: RegisterClosedPayload,
}


class PeriodTotals(Frozen):
    """What a closing (or an X) adds up over its records."""

    ticket_count: int = 0
    by_vat: tuple[VatAmount, ...] = ()
    by_tender: tuple[TenderAmount, ...] = ()  # cash is net of the change given
    total_excl_vat_cents: int = 0
    total_vat_cents: int = 0
    total_incl_vat_cents: int = 0  # the period's grand total


class ClosingPayload(Frozen):
    """A Z, month or year closing: the sequences it covers, its totals and the perpetual
    grand total of the till through its last sequence."""

    level: ClosingLevel
    period: str  # 2026-12-01, 2026-12 or 2026
    first_date: date
    last_date: date
    first_sequence: int
    last_sequence: int
    totals: PeriodTotals
    perpetual_total_cents: int
    closed_at: AwareDatetime
    automatic: bool = False


class EventPayload(Frozen):
    """A technical event (JET): what happened, and its details as plain text fields."""

    at: AwareDatetime
    actor_id: UUID | None = None
    details: dict[str, str | int | bool | None] = Field(default_factory=dict)


class EventKind(StrEnum):
    startup = "startup"
    closing = "closing"
    archive = "archive"
    export = "export"
    purge = "purge"
    restore = "restore"
    key_rotated = "key_rotated"
    configuration_changed = "configuration_changed"
    user_changed = "user_changed"
    verification_failed = "verification_failed"
    head_mismatch = "head_mismatch"
