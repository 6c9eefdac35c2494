"""Which adapter serves a method: the real one when its keys are set, the console otherwise.

Adapters are built once per settings object and event loop (their HTTP clients belong to
the loop that opened them)."""

from __future__ import annotations

import asyncio
from typing import Any

from app.core.config import get_settings
from app.payments.models import PaymentMethod
from app.payments.providers.base import CheckoutProvider
from app.payments.providers.console import ConsoleProvider
from app.payments.providers.paypal import PayPalProvider
from app.payments.providers.stripe import StripeProvider
from app.payments.providers.sumup import SumUpTerminal

__all__ = [
    "CheckoutProvider",
    "ConsoleProvider",
    "PayPalProvider",
    "StripeProvider",
    "SumUpTerminal",
    "for_method",
    "for_provider",
    "paypal_provider",
    "stripe_provider",
    "terminal",
]

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


def stripe_provider() -> StripeProvider | ConsoleProvider:
    section = get_settings().stripe
    if section.secret_key is None:
        return ConsoleProvider("stripe")
    return _cached("stripe", section, lambda: StripeProvider(section))  # type: ignore[no-any-return]


def paypal_provider() -> PayPalProvider | ConsoleProvider:
    section = get_settings().paypal
    if section.client_id is None or section.client_secret is None:
        return ConsoleProvider("paypal")
    return _cached("paypal", section, lambda: PayPalProvider(section))  # type: ignore[no-any-return]


def terminal() -> SumUpTerminal | ConsoleProvider:
    section = get_settings().sumup
    if section.api_key is None or not section.merchant_code:
        return ConsoleProvider("sumup")
    return _cached("sumup", section, lambda: SumUpTerminal(section))  # type: ignore[no-any-return]


def for_method(method: PaymentMethod) -> CheckoutProvider:
    if method is PaymentMethod.stripe:
        return stripe_provider()
    if method is PaymentMethod.paypal:
        return paypal_provider()
    if method is PaymentMethod.sumup_terminal:
        return terminal()
    raise ValueError(f"{method} has no provider")


def for_provider(provider: str, method: PaymentMethod) -> CheckoutProvider:
    """The adapter for a stored payment: a console payment stays with the console even if
    keys were set since."""
    if provider == "console":
        return ConsoleProvider(method.value)
    return for_method(method)
