"""Stands in for Stripe, PayPal or SumUp when their keys are not set (`make run`, demos):
every call is logged and nothing leaves the machine. A console payment stays open until
someone completes it with `POST /api/v1/payments/{id}/simulate` (the fake card, the fake
reader), which goes through the same code as a real webhook."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from app.core.config import get_settings
from app.core.ids import new_id
from app.payments.models import PaymentStatus, Provider, RefundStatus
from app.payments.providers.base import Charge, ProviderState, RefundResult
from app.payments.providers.sumup import PairedReader

logger = logging.getLogger("app.payments.console")


class ConsoleProvider:
    provider = Provider.console
    publishable_key = "pk_console"

    def __init__(self, stands_for: str) -> None:
        self.stands_for = stands_for

    def _log(self, action: str, **fields: object) -> None:
        logger.info(
            "console %s %s", self.stands_for, action, extra={"provider": self.stands_for, **fields}
        )

    def _client_secret(self, ref: str) -> str | None:
        # Derived from the reference, so asking again for an open checkout gives the same one.
        return f"{ref}_secret" if self.stands_for == "stripe" and ref else None

    def _approval_url(self, charge: Charge, ref: str) -> str | None:
        """Where PayPal would send the buyer: here she "approves" at once and comes back to
        the site's return page with the order's token, as from PayPal; the site then captures
        (`POST /payments/{id}/capture`)."""
        if self.stands_for != "paypal":
            return None
        back = charge.return_url or get_settings().salon.public_url
        joiner = "&" if "?" in back else "?"
        return f"{back}{joiner}{urlencode({'token': ref, 'PayerID': 'CONSOLE'})}"

    async def start(self, charge: Charge) -> ProviderState:
        ref = f"console_{new_id().hex}"
        self._log("checkout", amount_cents=charge.amount_cents, payment_id=str(charge.payment_id))
        online = self.stands_for in {"stripe", "paypal"}
        return ProviderState(
            ref=ref,
            status=PaymentStatus.requires_action if online else PaymentStatus.pending,
            session_ref=ref,
            amount_cents=charge.amount_cents,
            client_secret=self._client_secret(ref),
            approval_url=self._approval_url(charge, ref),
        )

    async def fetch(
        self, ref: str, *, reader_ref: str | None = None, session_ref: str | None = None
    ) -> ProviderState:
        # The console keeps no state: the payment row is the only truth.
        return ProviderState(
            ref=ref, status=PaymentStatus.pending, client_secret=self._client_secret(ref)
        )

    async def capture(self, ref: str, *, key: str) -> ProviderState:
        self._log("capture", ref=ref)
        return ProviderState(ref=ref, status=PaymentStatus.succeeded, charge_ref=f"{ref}_capture")

    async def cancel(self, ref: str, *, reader_ref: str | None = None) -> None:
        self._log("cancel", ref=ref)

    async def refund(
        self,
        *,
        payment_ref: str,
        charge_ref: str | None,
        amount_cents: int,
        currency: str,
        key: str,
    ) -> RefundResult:
        self._log("refund", ref=payment_ref, amount_cents=amount_cents)
        return RefundResult(ref=f"console_refund_{key}", status=RefundStatus.succeeded)

    async def pair(self, *, pairing_code: str, name: str) -> PairedReader:
        self._log("pair", reader_name=name)
        return PairedReader(
            ref=f"console_rdr_{new_id().hex[:12]}",
            name=name,
            status="paired",
            model="console",
            serial_number=None,
        )

    async def unpair(self, reader_ref: str) -> None:
        self._log("unpair", ref=reader_ref)

    async def ensure_customer(self, *, client_id: str, email: str | None, name: str) -> str:
        return f"console_cus_{client_id}"

    async def setup_card(self, *, customer_ref: str, key: str) -> tuple[str, str]:
        ref = f"console_seti_{new_id().hex}"
        return ref, f"{ref}_secret"

    async def card_details(self, payment_method_ref: str) -> tuple[str | None, str | None]:
        return "visa", "4242"

    async def detach_card(self, payment_method_ref: str) -> None:
        self._log("detach", ref=payment_method_ref)

    async def charge_saved_card(
        self, charge: Charge, *, customer_ref: str, payment_method_ref: str
    ) -> ProviderState:
        self._log("off-session charge", amount_cents=charge.amount_cents)
        ref = f"console_{new_id().hex}"
        return ProviderState(ref=ref, status=PaymentStatus.succeeded, charge_ref=ref)
