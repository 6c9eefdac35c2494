"""The offline adapters: with no provider keys, messages are logged and kept in memory so that
`make run` shows what would be sent and tests can read it; payments are logged and wait for
`POST /api/v1/payments/{id}/simulate`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from app.core.ids import new_id
from app.integrations.gateway import (
    Charge,
    PaymentStatus,
    Provider,
    ProviderState,
    RefundResult,
    RefundStatus,
)

logger = logging.getLogger("app.console")


@dataclass(frozen=True, slots=True)
class ConsoleEmail:
    to: str
    subject: str
    text: str


@dataclass(frozen=True, slots=True)
class ConsoleSms:
    to: str
    text: str


@dataclass
class ConsoleOutbox:
    emails: list[ConsoleEmail] = field(default_factory=list)
    sms: list[ConsoleSms] = field(default_factory=list)

    def send_email(self, *, to: str, subject: str, text: str) -> None:
        self.emails.append(ConsoleEmail(to=to, subject=subject, text=text))
        logger.info("e-mail (console) to %s: %s\n%s", to, subject, text)

    def send_sms(self, *, to: str, text: str) -> None:
        self.sms.append(ConsoleSms(to=to, text=text))
        logger.info("SMS (console) to %s: %s", to, text)

    def clear(self) -> None:
        self.emails.clear()
        self.sms.clear()


console = ConsoleOutbox()


gateway_logger = logging.getLogger("app.payments.console")


class ConsoleGateway:
    """Stands in for a payment provider whose keys are not set (`make run`, demos): every call
    is logged and nothing leaves the machine. A console payment stays open until someone
    completes it with `POST /api/v1/payments/{id}/simulate` (the fake card, the fake reader),
    which goes through the same code as a real webhook. Each provider's console.py adds what
    that provider alone offers."""

    provider = Provider.console
    # Online checkouts wait for the client (`requires_action`), a reader's for the reader.
    online = False

    def __init__(self, stands_for: str) -> None:
        self.stands_for = stands_for

    def _log(self, action: str, **fields: object) -> None:
        gateway_logger.info(
            "console %s %s", self.stands_for, action, extra={"provider": self.stands_for, **fields}
        )

    def _client_secret(self, ref: str) -> str | None:
        return None

    def _approval_url(self, charge: Charge, ref: str) -> str | None:
        return None

    async def start(self, charge: Charge) -> ProviderState:
        ref = f"console_{new_id().hex}"
        self._log("checkout", amount_cents=charge.amount_cents, payment_id=str(charge.payment_id))
        return ProviderState(
            ref=ref,
            status=PaymentStatus.requires_action if self.online else PaymentStatus.pending,
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
