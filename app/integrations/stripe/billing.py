"""Stripe Billing for memberships: a Product and a Price per plan (a new Price when the
amount changes, the old one archived), subscriptions created `default_incomplete` so the site
confirms the first payment (3-D Secure) with the client secret of the first invoice, pause and
resume (`pause_collection`), plan changes with a stated proration, cancellation, and paying
an open invoice now (`POST /v1/invoices/{id}/pay`) for the dunning's retries.

The SDK lives in client.py; this module speaks to it through `StripeProvider.sdk`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from app.core.clock import utcnow
from app.core.ids import new_id
from app.integrations.stripe.client import StripeProvider, call, call_declinable

# Declines a retry cannot fix: the issuer says the card must not be charged again
# (Stripe's "hard declines": no Smart Retry either). Only a new card helps.
HARD_DECLINES = frozenset(
    {
        "stolen_card",
        "lost_card",
        "pickup_card",
        "restricted_card",
        "do_not_honor",
        "do_not_try_again",
        "fraudulent",
        "invalid_account",
        "card_not_supported",
        "expired_card",
        "incorrect_number",
        "revocation_of_all_authorizations",
        "revocation_of_authorization",
        "security_violation",
        "stop_payment_order",
        "transaction_not_allowed",
    }
)


def is_hard_decline(code: str | None) -> bool:
    return code is not None and code in HARD_DECLINES


@dataclass(frozen=True, slots=True)
class StartedSubscription:
    ref: str
    customer_ref: str
    status: str  # Stripe's: incomplete, active…
    latest_invoice_ref: str | None
    client_secret: str | None  # confirm the first payment with it (Stripe.js)
    created: int


@dataclass(frozen=True, slots=True)
class InvoicePayment:
    paid: bool
    decline_code: str | None
    status: str | None  # the invoice's status after the attempt


def _ts(value: datetime | None) -> int | None:
    return int(value.timestamp()) if value else None


def started(sub: dict[str, Any]) -> StartedSubscription:
    invoice = sub.get("latest_invoice")
    invoice = invoice if isinstance(invoice, dict) else {"id": invoice}
    secret = (invoice.get("confirmation_secret") or {}).get("client_secret")
    intent = invoice.get("payment_intent")
    if not secret and isinstance(intent, dict):
        secret = intent.get("client_secret")
    return StartedSubscription(
        ref=str(sub["id"]),
        customer_ref=str(sub["customer"]),
        status=str(sub["status"]),
        latest_invoice_ref=invoice.get("id"),
        client_secret=secret,
        created=int(sub.get("created") or 0),
    )


class Billing(Protocol):
    """What subscriptions asks of Stripe Billing (real or console)."""

    publishable_key: str | None

    async def ensure_product(self, *, plan_id: str, name: str, ref: str | None) -> str: ...
    async def create_price(
        self, *, product_ref: str, amount_cents: int, interval: str, key: str
    ) -> str: ...
    async def archive_price(self, price_ref: str) -> None: ...
    async def ensure_customer(self, *, client_id: str, email: str | None, name: str) -> str: ...
    async def create_subscription(
        self, *, customer_ref: str, price_ref: str, subscription_id: str, key: str
    ) -> StartedSubscription: ...
    async def setup_card(
        self, *, customer_ref: str, subscription_id: str, key: str, card_present: bool = False
    ) -> tuple[str, str]: ...
    async def set_default_card(
        self, *, customer_ref: str, subscription_ref: str, payment_method_ref: str
    ) -> None: ...
    async def pause(self, subscription_ref: str, *, resumes_at: datetime) -> None: ...
    async def resume(self, subscription_ref: str) -> None: ...
    async def change_price(
        self, subscription_ref: str, *, price_ref: str, proration_behavior: str
    ) -> None: ...
    async def cancel(self, subscription_ref: str, *, at_period_end: bool) -> None: ...
    async def pay_invoice(self, invoice_ref: str) -> InvoicePayment: ...
    async def fetch_subscription(self, subscription_ref: str) -> dict[str, Any] | None: ...


class StripeBilling:
    """Stripe Billing through the official SDK (the connection of `StripeProvider`)."""

    def __init__(self, provider: StripeProvider) -> None:
        self._provider = provider
        self._v1 = provider.sdk.v1
        self.publishable_key = provider.publishable_key

    async def ensure_product(self, *, plan_id: str, name: str, ref: str | None) -> str:
        if ref:
            await call(self._v1.products.update_async(ref, {"name": name}))
            return ref
        product = await call(
            self._v1.products.create_async(
                {"name": name, "metadata": {"plan_id": plan_id}},
                {"idempotency_key": f"plan-{plan_id}-product"},
            )
        )
        return str(product["id"])

    async def create_price(
        self, *, product_ref: str, amount_cents: int, interval: str, key: str
    ) -> str:
        params: dict[str, Any] = {
            "product": product_ref,
            "unit_amount": amount_cents,
            "currency": "eur",
            "recurring": {"interval": interval},
            "tax_behavior": "inclusive",  # our prices include VAT
        }
        price = await call(
            self._v1.prices.create_async(params, {"idempotency_key": key})  # type: ignore[arg-type]
        )
        return str(price["id"])

    async def archive_price(self, price_ref: str) -> None:
        await call(self._v1.prices.update_async(price_ref, {"active": False}))

    async def ensure_customer(self, *, client_id: str, email: str | None, name: str) -> str:
        return await self._provider.ensure_customer(client_id=client_id, email=email, name=name)

    async def create_subscription(
        self, *, customer_ref: str, price_ref: str, subscription_id: str, key: str
    ) -> StartedSubscription:
        params: dict[str, Any] = {
            "customer": customer_ref,
            "items": [{"price": price_ref}],
            "payment_behavior": "default_incomplete",
            "payment_settings": {"save_default_payment_method": "on_subscription"},
            "expand": ["latest_invoice.confirmation_secret", "latest_invoice.payment_intent"],
            "metadata": {"subscription_id": subscription_id},
        }
        sub = await call(
            self._v1.subscriptions.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": key},
            )
        )
        return started(sub)

    async def setup_card(
        self, *, customer_ref: str, subscription_id: str, key: str, card_present: bool = False
    ) -> tuple[str, str]:
        params: dict[str, Any] = {
            "customer": customer_ref,
            "usage": "off_session",
            "payment_method_types": ["card_present"] if card_present else ["card"],
            "metadata": {"subscription_id": subscription_id, "purpose": "subscription_card"},
        }
        intent = await call(
            self._v1.setup_intents.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": key},
            )
        )
        return str(intent["id"]), str(intent["client_secret"])

    async def set_default_card(
        self, *, customer_ref: str, subscription_ref: str, payment_method_ref: str
    ) -> None:
        await call(
            self._v1.customers.update_async(
                customer_ref, {"invoice_settings": {"default_payment_method": payment_method_ref}}
            )
        )
        await call(
            self._v1.subscriptions.update_async(
                subscription_ref, {"default_payment_method": payment_method_ref}
            )
        )

    async def pause(self, subscription_ref: str, *, resumes_at: datetime) -> None:
        # `void`: no invoice while paused (nothing is charged, nothing is owed).
        params: dict[str, Any] = {
            "pause_collection": {"behavior": "void", "resumes_at": _ts(resumes_at)}
        }
        await call(self._v1.subscriptions.update_async(subscription_ref, params))  # type: ignore[arg-type]

    async def resume(self, subscription_ref: str) -> None:
        params: dict[str, Any] = {"pause_collection": ""}
        await call(self._v1.subscriptions.update_async(subscription_ref, params))  # type: ignore[arg-type]

    async def change_price(
        self, subscription_ref: str, *, price_ref: str, proration_behavior: str
    ) -> None:
        sub = await call(self._v1.subscriptions.retrieve_async(subscription_ref))
        item = sub["items"]["data"][0]["id"]
        params: dict[str, Any] = {
            "items": [{"id": item, "price": price_ref}],
            "proration_behavior": proration_behavior,
        }
        await call(self._v1.subscriptions.update_async(subscription_ref, params))  # type: ignore[arg-type]

    async def cancel(self, subscription_ref: str, *, at_period_end: bool) -> None:
        if at_period_end:
            await call(
                self._v1.subscriptions.update_async(
                    subscription_ref, {"cancel_at_period_end": True}
                )
            )
        else:
            await call(self._v1.subscriptions.cancel_async(subscription_ref))

    async def pay_invoice(self, invoice_ref: str) -> InvoicePayment:
        answer, decline = await call_declinable(self._v1.invoices.pay_async(invoice_ref))
        if answer is None:
            return InvoicePayment(paid=False, decline_code=decline, status="open")
        return InvoicePayment(
            paid=answer.get("status") == "paid", decline_code=None, status=answer.get("status")
        )

    async def fetch_subscription(self, subscription_ref: str) -> dict[str, Any] | None:
        return await call(self._v1.subscriptions.retrieve_async(subscription_ref))


class ConsoleBilling:
    """Stripe Billing's console stand-in (no keys): every call is logged and answers as
    Stripe would; the first invoice waits for `python -m app.cli subscriptions simulate`."""

    publishable_key: str | None = "pk_console"

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def _log(self, what: str, **detail: Any) -> None:
        self.calls.append((what, detail))

    async def ensure_product(self, *, plan_id: str, name: str, ref: str | None) -> str:
        return ref or f"console_prod_{plan_id}"

    async def create_price(
        self, *, product_ref: str, amount_cents: int, interval: str, key: str
    ) -> str:
        return f"console_price_{new_id().hex}"

    async def archive_price(self, price_ref: str) -> None:
        self._log("archive_price", ref=price_ref)

    async def ensure_customer(self, *, client_id: str, email: str | None, name: str) -> str:
        return f"console_cus_{client_id}"

    async def create_subscription(
        self, *, customer_ref: str, price_ref: str, subscription_id: str, key: str
    ) -> StartedSubscription:
        ref = f"console_sub_{subscription_id}"
        return StartedSubscription(
            ref=ref,
            customer_ref=customer_ref,
            status="incomplete",
            latest_invoice_ref=f"console_in_{subscription_id}_1",
            client_secret=f"{ref}_secret",
            created=int(utcnow().timestamp()),
        )

    async def setup_card(
        self, *, customer_ref: str, subscription_id: str, key: str, card_present: bool = False
    ) -> tuple[str, str]:
        ref = f"console_seti_{new_id().hex}"
        return ref, f"{ref}_secret"

    async def set_default_card(
        self, *, customer_ref: str, subscription_ref: str, payment_method_ref: str
    ) -> None:
        self._log("set_default_card", ref=subscription_ref, pm=payment_method_ref)

    async def pause(self, subscription_ref: str, *, resumes_at: datetime) -> None:
        self._log("pause", ref=subscription_ref, resumes_at=resumes_at.isoformat())

    async def resume(self, subscription_ref: str) -> None:
        self._log("resume", ref=subscription_ref)

    async def change_price(
        self, subscription_ref: str, *, price_ref: str, proration_behavior: str
    ) -> None:
        self._log("change_price", ref=subscription_ref, price=price_ref)

    async def cancel(self, subscription_ref: str, *, at_period_end: bool) -> None:
        self._log("cancel", ref=subscription_ref, at_period_end=at_period_end)

    async def pay_invoice(self, invoice_ref: str) -> InvoicePayment:
        self._log("pay_invoice", ref=invoice_ref)
        return InvoicePayment(paid=True, decline_code=None, status="paid")

    async def fetch_subscription(self, subscription_ref: str) -> dict[str, Any] | None:
        return None
