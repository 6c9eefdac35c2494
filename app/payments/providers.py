"""The port payments needs from a payment provider (`CheckoutProvider`), and which adapter
serves a method: the real one (`app/integrations/<provider>/client.py`) when its keys are set,
its console stand-in (`.../console.py`) otherwise.

Adapters are built once per settings object and event loop (their HTTP clients belong to
the loop that opened them)."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from app.core.config import get_settings
from app.integrations.gateway import Charge, ProviderState, RefundResult
from app.integrations.paypal.client import PayPalProvider
from app.integrations.paypal.console import PayPalConsole
from app.integrations.stripe.client import StripeProvider
from app.integrations.stripe.console import StripeConsole
from app.integrations.sumup.client import SumUpTerminal
from app.integrations.sumup.console import SumUpConsole
from app.payments.models import PaymentMethod, Provider

__all__ = [
    "Charge",
    "CheckoutProvider",
    "PayPalConsole",
    "PayPalProvider",
    "ProviderState",
    "RefundResult",
    "StripeConsole",
    "StripeProvider",
    "SumUpConsole",
    "SumUpTerminal",
    "for_method",
    "for_provider",
    "paypal_provider",
    "stripe_provider",
    "terminal",
]


class CheckoutProvider(Protocol):
    """What payments asks of any provider, in the project's own terms. Adapters turn our
    requests into a provider's API calls and its answers back into `ProviderState`; they
    never touch the database. Each has a base-URL setting, so tests point it at a fake of the
    provider's HTTP API."""

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


_built: dict[tuple[str, int, int], Any] = {}


def _cached(name: str, section: object, build: Any) -> Any:
    try:
        loop = id(asyncio.get_running_loop())
    except RuntimeError:
        loop = 0
    key = (name, id(section), loop)
    if key not in _built:
        _built[key] = build()
    return _built[key]


def stripe_provider() -> StripeProvider | StripeConsole:
    section = get_settings().stripe
    if section.secret_key is None:
        return StripeConsole()
    return _cached("stripe", section, lambda: StripeProvider(section))  # type: ignore[no-any-return]


def paypal_provider() -> PayPalProvider | PayPalConsole:
    section = get_settings().paypal
    if section.client_id is None or section.client_secret is None:
        return PayPalConsole()
    return _cached("paypal", section, lambda: PayPalProvider(section))  # type: ignore[no-any-return]


def terminal() -> SumUpTerminal | SumUpConsole:
    section = get_settings().sumup
    if section.api_key is None or not section.merchant_code:
        return SumUpConsole()
    return _cached("sumup", section, lambda: SumUpTerminal(section))  # type: ignore[no-any-return]


def for_method(method: PaymentMethod) -> CheckoutProvider:
    if method is PaymentMethod.stripe:
        return stripe_provider()
    if method is PaymentMethod.paypal:
        return paypal_provider()
    if method is PaymentMethod.sumup_terminal:
        return terminal()
    raise ValueError(f"{method} has no provider")


_CONSOLES: dict[PaymentMethod, type[StripeConsole | PayPalConsole | SumUpConsole]] = {
    PaymentMethod.stripe: StripeConsole,
    PaymentMethod.paypal: PayPalConsole,
    PaymentMethod.sumup_terminal: SumUpConsole,
}


def console_for(method: PaymentMethod) -> CheckoutProvider:
    """The console stand-in of the provider that serves `method`."""
    if method not in _CONSOLES:
        raise ValueError(f"{method} has no provider")
    return _CONSOLES[method]()


def for_provider(provider: str, method: PaymentMethod) -> CheckoutProvider:
    """The adapter for a stored payment: a console payment stays with the console even if
    keys were set since."""
    if provider == "console":
        return console_for(method)
    return for_method(method)
