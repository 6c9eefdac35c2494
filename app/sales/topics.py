"""Outbox topics the till publishes: what the accounting needs of each ticket and credit
ticket (lines with their VAT, tenders with their payments, tips owed to staff)."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from app.core.outbox import Payload, Topic


class SoldLine(Payload):
    kind: str  # service, product or fee (a home visit's travel fee)
    item_id: UUID | None
    label: str
    quantity: int  # negative on a credit ticket
    amount_incl_vat_cents: int
    amount_excl_vat_cents: int
    vat_rate: Decimal
    practitioner_id: UUID | None
    from_booking: bool = False  # a booking's own service (its products go with the booking)


class SoldTender(Payload):
    method: str  # the journal's: cash, card, gift_card, bank_transfer, deposit
    amount_cents: int  # what paid the sale (negative: given back), tip and change excluded
    payment_id: UUID | None  # None for a training ticket
    gift_card_id: UUID | None = None
    tip_cents: int = 0  # taken with this tender on top of `amount_cents`, owed to staff


class TipOwed(Payload):
    practitioner_id: UUID
    amount_cents: int


class TicketIssued(Payload):
    """A ticket or a credit ticket is in the journal (never a training one)."""

    kind: str  # ticket or credit_ticket
    journal_record_id: UUID
    number: str
    issued_at: str  # ISO 8601, as signed
    order_id: UUID
    booking_id: UUID | None
    client_id: UUID | None
    corrects_number: str | None
    lines: list[SoldLine]
    total_excl_vat_cents: int
    total_incl_vat_cents: int
    tenders: list[SoldTender]
    tips: list[TipOwed]


TOPIC_TICKET_ISSUED = Topic("sales.ticket_issued", TicketIssued)
