"""Provider webhook events that another domain than payments acts on (Stripe Billing's
`invoice.*` and `customer.subscription.*` for subscriptions, say).

The events still arrive through payments' verified, stored-once inbox
(`app/payments/webhooks.py`); when payments does not act on an event type itself, it looks the
type up here. A domain declares its handlers in its own folder:

    @provider_events.handles("stripe", "invoice.paid", "invoice.payment_failed")
    async def on_invoice(session, event) -> provider_events.Handled: ...

so payments never imports the owner. A type has one owner per provider. The handler runs in
the inbox's transaction (inside a savepoint: an unreadable event is kept as `ignored`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class Handled:
    outcome: Literal["applied", "ignored", "unmatched"]
    note: str | None = None


EventHandler = Callable[[AsyncSession, dict[str, Any]], Awaitable[Handled]]
_handlers: dict[tuple[str, str], tuple[str, EventHandler]] = {}


def handles(provider: str, *types: str) -> Callable[[EventHandler], EventHandler]:
    """Declare, at import, the handler of these event types of `provider`; it receives the
    whole verified event (`type`, `created`, `data.object`)."""

    def register(handler: EventHandler) -> EventHandler:
        where = f"{handler.__module__}.{handler.__qualname__}"
        for kind in types:
            known = _handlers.get((provider, kind))
            if known is not None and known[0] != where:
                raise RuntimeError(f"{provider} event {kind!r} is already handled by {known[0]}")
            _handlers[(provider, kind)] = (where, handler)
        return handler

    return register


def handler_for(provider: str, kind: str) -> EventHandler | None:
    found = _handlers.get((provider, kind))
    return found[1] if found else None


def declared(provider: str) -> list[str]:
    """The event types of `provider` some domain handles (the Stripe endpoint's settings)."""
    return sorted(kind for known, kind in _handlers if known == provider)
