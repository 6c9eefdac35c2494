"""The Stripe Billing adapter subscriptions uses: the real one when STRIPE_SECRET_KEY is set,
the console otherwise (as payments does)."""

from __future__ import annotations

from app.core.config import get_settings
from app.integrations.stripe.billing import Billing, ConsoleBilling, StripeBilling
from app.integrations.stripe.client import StripeProvider

_console = ConsoleBilling()


def billing() -> Billing:
    section = get_settings().stripe
    if section.secret_key is None:
        return _console
    return StripeBilling(StripeProvider(section))


def is_console() -> bool:
    return get_settings().stripe.secret_key is None
