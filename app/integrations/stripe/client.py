"""Stripe through its official SDK: PaymentIntents for the site's Stripe Elements, refunds,
a customer per returning client, and cards saved with a SetupIntent for a later no-show fee."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import stripe

from app.core.config import StripeSettings
from app.integrations.gateway import (
    Charge,
    PaymentStatus,
    PayoutLineKind,
    PayoutLineReport,
    PayoutReport,
    Provider,
    ProviderRefused,
    ProviderState,
    ProviderUnavailable,
    RefundResult,
    RefundStatus,
    required,
)

# Waiting for the client (a card, a confirmation, 3-D Secure) is `requires_action` for us.
_PI_STATUS = {
    "requires_payment_method": PaymentStatus.requires_action,
    "requires_confirmation": PaymentStatus.requires_action,
    "requires_action": PaymentStatus.requires_action,
    "processing": PaymentStatus.pending,
    "requires_capture": PaymentStatus.pending,
    "canceled": PaymentStatus.cancelled,
    "succeeded": PaymentStatus.succeeded,
}
_REFUND_STATUS = {
    "pending": RefundStatus.pending,
    "requires_action": RefundStatus.pending,
    "succeeded": RefundStatus.succeeded,
    "failed": RefundStatus.failed,
    "canceled": RefundStatus.failed,
}


def payment_intent_state(intent: Any) -> ProviderState:
    """Our view of a PaymentIntent, from the API or from a webhook's `data.object`."""
    status = _PI_STATUS.get(intent["status"], PaymentStatus.pending)
    error = intent.get("last_payment_error")
    if intent["status"] == "requires_payment_method" and error:
        status = PaymentStatus.failed
    charge = intent.get("latest_charge")
    return ProviderState(
        ref=intent["id"],
        status=status,
        charge_ref=charge if isinstance(charge, str) else (charge or {}).get("id"),
        amount_cents=intent.get("amount"),
        client_secret=intent.get("client_secret"),
        failure_code=(error or {}).get("decline_code") or (error or {}).get("code"),
        failure_message=(error or {}).get("message"),
    )


_PAYOUT_STATUS = {"paid": "paid", "failed": "failed", "canceled": "failed"}
# A balance transaction's type -> what it is to the salon (the payout itself is left out).
_LINE_KINDS = {
    "charge": PayoutLineKind.charge,
    "payment": PayoutLineKind.charge,
    "refund": PayoutLineKind.refund,
    "payment_refund": PayoutLineKind.refund,
    "stripe_fee": PayoutLineKind.fee,
    "tax_fee": PayoutLineKind.fee,
    "network_cost": PayoutLineKind.fee,
    "adjustment": PayoutLineKind.adjustment,
    "payment_failure_refund": PayoutLineKind.adjustment,
    "payout_failure": PayoutLineKind.payout_failure,
}
_PAGE = 100


def payout_report(payout: Any, lines: tuple[PayoutLineReport, ...] = ()) -> PayoutReport:
    """Our view of a Stripe payout (from the API or a `payout.*` event's object)."""
    return PayoutReport(
        ref=payout["id"],
        status=_PAYOUT_STATUS.get(payout["status"], "pending"),
        net_cents=int(payout["amount"]),
        currency=str(payout["currency"]).upper(),
        arrival_date=datetime.fromtimestamp(int(payout["arrival_date"]), UTC).date(),
        lines=lines,
    )


def payout_line(txn: Any) -> PayoutLineReport | None:
    """One balance transaction of a payout (its `source` expanded), or None for the payout's
    own transaction. A fee of its own (`stripe_fee`) is all fee: no gross."""
    kind = _LINE_KINDS.get(txn["type"], PayoutLineKind.other)
    if txn["type"] == "payout":
        return None
    source = txn.get("source")
    source = source if isinstance(source, dict) else {"id": source}
    amount, fee = int(txn["amount"]), int(txn["fee"])
    if kind is PayoutLineKind.fee:
        amount, fee = 0, fee - amount
    refund = kind is PayoutLineKind.refund
    return PayoutLineReport(
        ref=txn["id"],
        kind=kind,
        amount_cents=amount,
        fee_cents=fee,
        source_ref=source.get("id"),
        payment_ref=source.get("payment_intent"),
        charge_ref=source.get("charge") if refund else source.get("id"),
        refund_ref=source.get("id") if refund else None,
        description=(txn.get("description") or None),
    )


def refund_state(refund: Any) -> RefundResult:
    return RefundResult(
        ref=refund["id"],
        status=_REFUND_STATUS.get(refund["status"], RefundStatus.pending),
        failure_message=refund.get("failure_reason"),
    )


class StripeProvider:
    provider = Provider.stripe

    def __init__(self, settings: StripeSettings) -> None:
        secret_key = required(settings.secret_key, "STRIPE_SECRET_KEY")
        self.publishable_key = settings.publishable_key
        self._client = stripe.StripeClient(
            secret_key.get_secret_value(),
            base_addresses={"api": settings.api_base},
            http_client=stripe.HTTPXClient(),
            max_network_retries=2,
        )

    @property
    def sdk(self) -> stripe.StripeClient:
        """The SDK client, for the Billing adapter (billing.py) that shares this connection."""
        return self._client

    async def start(self, charge: Charge) -> ProviderState:
        params: dict[str, Any] = {
            "amount": charge.amount_cents,
            "currency": charge.currency.lower(),
            "description": charge.description,
            "automatic_payment_methods": {"enabled": True},
            "metadata": {"payment_id": str(charge.payment_id)},
        }
        if charge.customer_ref:
            params["customer"] = charge.customer_ref
            if charge.save_card:
                params["setup_future_usage"] = "off_session"
        intent = await _call(
            self._client.v1.payment_intents.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": f"payment-{charge.payment_id}"},
            )
        )
        return payment_intent_state(intent)

    async def fetch(
        self, ref: str, *, reader_ref: str | None = None, session_ref: str | None = None
    ) -> ProviderState:
        return payment_intent_state(
            await _call(self._client.v1.payment_intents.retrieve_async(ref))
        )

    async def cancel(self, ref: str, *, reader_ref: str | None = None) -> None:
        await _call(self._client.v1.payment_intents.cancel_async(ref))

    async def refund(
        self,
        *,
        payment_ref: str,
        charge_ref: str | None,
        amount_cents: int,
        currency: str,
        key: str,
    ) -> RefundResult:
        refund = await _call(
            self._client.v1.refunds.create_async(
                {"payment_intent": payment_ref, "amount": amount_cents},
                {"idempotency_key": key},
            )
        )
        return refund_state(refund)

    async def ensure_customer(self, *, client_id: str, email: str | None, name: str) -> str:
        params: dict[str, Any] = {"name": name, "metadata": {"client_id": client_id}}
        if email:
            params["email"] = email
        customer = await _call(
            self._client.v1.customers.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": f"customer-{client_id}"},
            )
        )
        return str(customer["id"])

    async def setup_card(self, *, customer_ref: str, key: str) -> tuple[str, str]:
        """A SetupIntent to save a card for later off-session charges: (id, client_secret)."""
        params: dict[str, Any] = {
            "customer": customer_ref,
            "usage": "off_session",
            "payment_method_types": ["card"],
        }
        intent = await _call(
            self._client.v1.setup_intents.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": key},
            )
        )
        return str(intent["id"]), str(intent["client_secret"])

    async def card_details(
        self, payment_method_ref: str
    ) -> tuple[str | None, str | None, str | None]:
        """(brand, last4, fingerprint): the fingerprint names the card number, the same for
        every customer who saves it (the referrals' fraud checks compare them)."""
        method = await _call(self._client.v1.payment_methods.retrieve_async(payment_method_ref))
        card = method.get("card") or {}
        return card.get("brand"), card.get("last4"), card.get("fingerprint")

    async def detach_card(self, payment_method_ref: str) -> None:
        await _call(self._client.v1.payment_methods.detach_async(payment_method_ref))

    async def charge_saved_card(
        self, charge: Charge, *, customer_ref: str, payment_method_ref: str
    ) -> ProviderState:
        """Charge a saved card while the client is away (a no-show fee she agreed to)."""
        params: dict[str, Any] = {
            "amount": charge.amount_cents,
            "currency": charge.currency.lower(),
            "description": charge.description,
            "customer": customer_ref,
            "payment_method": payment_method_ref,
            "off_session": True,
            "confirm": True,
            "metadata": {"payment_id": str(charge.payment_id)},
        }
        intent: Any
        try:
            intent = _plain(
                await self._client.v1.payment_intents.create_async(
                    params,  # type: ignore[arg-type]
                    {"idempotency_key": f"payment-{charge.payment_id}"},
                )
            )
        except stripe.CardError as exc:
            # The card was declined: Stripe still made the PaymentIntent, report it as failed.
            declined = getattr(exc.error, "payment_intent", None)
            if declined is None:
                raise ProviderRefused(exc.user_message or "The card was declined.") from exc
            intent = _plain(declined)
        except stripe.StripeError as exc:
            raise _translate(exc) from exc
        return payment_intent_state(intent)

    async def payout(self, ref: str) -> PayoutReport:
        """The payout as Stripe has it now, with the balance transactions it paid out (each
        charge's and refund's fee and net), read page by page."""
        payout = await _call(self._client.v1.payouts.retrieve_async(ref))
        if not payout.get("automatic", True):
            # Stripe lists the transactions of automatic payouts only: a payout made by hand
            # from the dashboard is known by its amount (no line, no fee).
            return payout_report(payout)
        lines: list[PayoutLineReport] = []
        after: str | None = None
        while True:
            params: dict[str, Any] = {"payout": ref, "expand": ["data.source"], "limit": _PAGE}
            if after:
                params["starting_after"] = after
            page = await _call(
                self._client.v1.balance_transactions.list_async(params)  # type: ignore[arg-type]
            )
            data = page.get("data") or []
            lines += [line for txn in data if (line := payout_line(txn)) is not None]
            if not page.get("has_more") or not data:
                return payout_report(payout, tuple(lines))
            after = data[-1]["id"]


async def call_declinable(awaitable: Any) -> tuple[dict[str, Any] | None, str | None]:
    """Await an SDK call that may be a card decline: (answer, None) or (None, decline code)."""
    try:
        return _plain(await awaitable), None
    except stripe.CardError as exc:
        error = exc.error
        code = getattr(error, "decline_code", None) or getattr(error, "code", None) or exc.code
        return None, str(code or "card_declined")
    except stripe.StripeError as exc:
        raise _translate(exc) from exc


async def call(awaitable: Any) -> dict[str, Any]:
    """Await an SDK call; its answer as plain data (for the Billing adapter, billing.py)."""
    return await _call(awaitable)


async def _call(awaitable: Any) -> dict[str, Any]:
    """Await an SDK call; its answer as plain data (StripeObjects are not dicts)."""
    try:
        return _plain(await awaitable)
    except stripe.StripeError as exc:
        raise _translate(exc) from exc


def _plain(obj: Any) -> dict[str, Any]:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _translate(exc: stripe.StripeError) -> Exception:
    if isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError | stripe.APIError):
        return ProviderUnavailable(f"Stripe: {exc.user_message or 'no answer'}")
    return ProviderRefused(f"Stripe: {exc.user_message or exc.code or 'request refused'}")
