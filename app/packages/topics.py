"""Outbox topics the packages domain publishes, with the figures the books need: a package is
a prepayment (a liability) until each session is used (docs/packages.md, "Accounting")."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from pydantic import AwareDatetime

from app.core.outbox import Payload, Topic


class PackageSold(Payload):
    """A package was paid: its VAT is due now (services: VAT at collection), the rest is
    owed to the client in sessions."""

    package_id: UUID
    client_id: UUID
    channel: str  # online (its payment posts the money) or till (its ticket does)
    name: str
    sessions: int
    price_cents: int  # VAT included
    price_excl_vat_cents: int
    vat_cents: int
    vat_rate: Decimal
    payment_id: UUID | None
    order_id: UUID | None
    sold_at: AwareDatetime


class SessionUsed(Payload):
    """One session left the prepayment: used at a completed visit, or kept by the policy
    after a late cancellation or a no-show (`outcome`). Its share becomes revenue."""

    package_id: UUID
    use_id: UUID
    client_id: UUID
    booking_id: UUID
    service_id: UUID
    outcome: str  # used or forfeited
    revenue_cents: int  # VAT included (the VAT was collected at sale)
    revenue_excl_vat_cents: int
    vat_rate: Decimal
    remaining: int
    expires_at: AwareDatetime
    at: AwareDatetime


class PackageRefunded(Payload):
    """Unused sessions refunded by the policy: `refund_cents` goes back to the client, the
    rest of those sessions' share (`released_cents`) is revenue the salon keeps."""

    package_id: UUID
    client_id: UUID
    sessions: int
    refund_cents: int
    refund_excl_vat_cents: int
    released_cents: int
    released_excl_vat_cents: int
    vat_rate: Decimal
    payment_id: UUID | None
    at: AwareDatetime


class PackageExpired(Payload):
    """Sessions lost at expiry: their share of the price becomes revenue."""

    package_id: UUID
    client_id: UUID
    sessions: int
    remainder_cents: int
    remainder_excl_vat_cents: int
    vat_rate: Decimal
    at: AwareDatetime


TOPIC_SOLD = Topic("packages.sold", PackageSold)
TOPIC_SESSION_USED = Topic("packages.session_used", SessionUsed)
TOPIC_REFUNDED = Topic("packages.refunded", PackageRefunded)
TOPIC_EXPIRED = Topic("packages.expired", PackageExpired)
