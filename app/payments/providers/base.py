"""What every payment provider adapter offers, in the project's own terms.

Adapters turn our requests into a provider's API calls and its answers back into
`ProviderState`; they never touch the database. Each has a base-URL setting, so tests point
it at a fake of the provider's HTTP API.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, TypeVar
from uuid import UUID

from app.payments.models import PaymentStatus, Provider, RefundStatus


@dataclass(frozen=True, slots=True)
class Charge:
    """Money we ask a provider to take."""

    payment_id: UUID
    amount_cents: int
    currency: str
    description: str
    customer_ref: str | None = None
    save_card: bool = False
    return_url: str | None = None  # PayPal: back from approval; SumUp: the result callback
    cancel_url: str | None = None
    reader_ref: str | None = None


@dataclass(frozen=True, slots=True)
class ProviderState:
    """A provider's view of one payment."""

    ref: str
    status: PaymentStatus
    charge_ref: str | None = None
    # A second handle some providers need to look the payment up (SumUp's checkout id).
    session_ref: str | None = None
    amount_cents: int | None = None
    client_secret: str | None = None
    approval_url: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None


@dataclass(frozen=True, slots=True)
class RefundResult:
    ref: str
    status: RefundStatus
    failure_message: str | None = None


class CheckoutProvider(Protocol):
    provider: Provider

    async def start(self, charge: Charge) -> ProviderState:
        """Open a payment; nothing is taken until the client (or the reader) completes it."""
        ...

    async def fetch(
        self, ref: str, *, reader_ref: str | None = None, session_ref: str | None = None
    ) -> ProviderState:
        """The provider's current view of a payment: the truth behind any webhook."""
        ...

    async def cancel(self, ref: str, *, reader_ref: str | None = None) -> None: ...

    async def refund(
        self,
        *,
        payment_ref: str,
        charge_ref: str | None,
        amount_cents: int,
        currency: str,
        key: str,
    ) -> RefundResult:
        """Give back `amount_cents` of a taken payment. `key` makes a retry a no-op."""
        ...


T = TypeVar("T")


def required(value: T | None, what: str) -> T:
    """A setting or argument an adapter cannot work without."""
    if value is None or value == "":
        raise RuntimeError(f"{what} is required here")
    return value


def euros(cents: int) -> str:
    """PayPal's amount format: a string with two decimals."""
    return f"{cents // 100}.{cents % 100:02d}"


def cents_from(value: str | float | int) -> int:
    """Back from a provider's major-unit amount ("12.50", 12.5) to cents, exactly."""
    return int((Decimal(str(value)) * 100).to_integral_value())
