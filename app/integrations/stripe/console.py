"""Stripe's console stand-in: a client secret derived from the reference, saved cards that
are always a Visa ending in 4242, and payouts known only by their event."""

from __future__ import annotations

from app.core.ids import new_id
from app.integrations.console import ConsoleGateway
from app.integrations.gateway import Charge, PaymentStatus, PayoutReport, ProviderState


class StripeConsole(ConsoleGateway):
    online = True
    publishable_key = "pk_console"

    def __init__(self) -> None:
        super().__init__("stripe")

    def _client_secret(self, ref: str) -> str | None:
        # Derived from the reference, so asking again for an open checkout gives the same one.
        return f"{ref}_secret" if ref else None

    async def ensure_customer(self, *, client_id: str, email: str | None, name: str) -> str:
        return f"console_cus_{client_id}"

    async def setup_card(self, *, customer_ref: str, key: str) -> tuple[str, str]:
        ref = f"console_seti_{new_id().hex}"
        return ref, f"{ref}_secret"

    async def card_details(
        self, payment_method_ref: str
    ) -> tuple[str | None, str | None, str | None]:
        return "visa", "4242", None

    async def detach_card(self, payment_method_ref: str) -> None:
        self._log("detach", ref=payment_method_ref)

    async def charge_saved_card(
        self, charge: Charge, *, customer_ref: str, payment_method_ref: str
    ) -> ProviderState:
        self._log("off-session charge", amount_cents=charge.amount_cents)
        ref = f"console_{new_id().hex}"
        return ProviderState(ref=ref, status=PaymentStatus.succeeded, charge_ref=ref)

    async def payout(self, ref: str) -> PayoutReport | None:
        """The console knows no payout: the event's own object is all there is (no lines,
        so no fee is known)."""
        self._log("payout", ref=ref)
        return None
