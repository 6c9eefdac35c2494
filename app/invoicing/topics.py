"""Outbox topics invoicing publishes: a credit note that lowers what a business client owes
on an invoice sold on account (the books take it off the client's account, 411)."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from app.core.outbox import Payload, Topic


class CreditedAmount(Payload):
    kind: str  # service, product or fee
    vat_rate: Decimal
    amount_excl_vat_cents: int  # positive: what the credit note gives back
    amount_incl_vat_cents: int


class CreditNoteOnAccount(Payload):
    credit_note_id: UUID
    number: str  # AV2027-000001
    issued_at: str  # ISO 8601
    invoice_id: UUID
    invoice_number: str
    client_id: UUID | None
    lines: list[CreditedAmount]
    total_incl_vat_cents: int


TOPIC_CREDIT_NOTE_ON_ACCOUNT = Topic("invoicing.credit_note_on_account", CreditNoteOnAccount)
