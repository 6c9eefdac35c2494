"""PayPal Orders v2 through PayPal's official server SDK (create → approval → capture, and
refunds), and the verify-webhook-signature call, which the SDK does not offer, over httpx."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
from paypalserversdk.configuration import Environment, Server
from paypalserversdk.exceptions.api_exception import ApiException
from paypalserversdk.http.auth.o_auth_2 import ClientCredentialsAuthCredentials
from paypalserversdk.models.amount_with_breakdown import AmountWithBreakdown
from paypalserversdk.models.checkout_payment_intent import CheckoutPaymentIntent
from paypalserversdk.models.money import Money
from paypalserversdk.models.order_request import OrderRequest
from paypalserversdk.models.payment_source import PaymentSource
from paypalserversdk.models.paypal_wallet import PaypalWallet
from paypalserversdk.models.paypal_wallet_experience_context import (
    PaypalWalletExperienceContext,
)
from paypalserversdk.models.purchase_unit_request import PurchaseUnitRequest
from paypalserversdk.models.refund_request import RefundRequest
from paypalserversdk.paypal_serversdk_client import PaypalServersdkClient

from app.core.config import PayPalSettings
from app.integrations.gateway import (
    Charge,
    PaymentStatus,
    Provider,
    ProviderRefused,
    ProviderState,
    ProviderUnavailable,
    RefundResult,
    RefundStatus,
    cents_from,
    required,
)

_CAPTURE_STATUS = {
    "COMPLETED": PaymentStatus.succeeded,
    "PENDING": PaymentStatus.pending,
    "DECLINED": PaymentStatus.failed,
    "FAILED": PaymentStatus.failed,
    "REFUNDED": PaymentStatus.refunded,
    "PARTIALLY_REFUNDED": PaymentStatus.partially_refunded,
}
_ORDER_STATUS = {
    "CREATED": PaymentStatus.requires_action,
    "PAYER_ACTION_REQUIRED": PaymentStatus.requires_action,
    "SAVED": PaymentStatus.pending,
    "APPROVED": PaymentStatus.pending,
    "VOIDED": PaymentStatus.cancelled,
}
_REFUND_STATUS = {
    "COMPLETED": RefundStatus.succeeded,
    "PENDING": RefundStatus.pending,
    "FAILED": RefundStatus.failed,
    "CANCELLED": RefundStatus.failed,
}


def capture_status(capture: dict[str, Any]) -> PaymentStatus:
    return _CAPTURE_STATUS.get(str(capture.get("status")), PaymentStatus.pending)


def capture_fee(capture: dict[str, Any]) -> int | None:
    """PayPal's fee on a capture (`seller_receivable_breakdown.paypal_fee`), once it says."""
    fee = (capture.get("seller_receivable_breakdown") or {}).get("paypal_fee") or {}
    return cents_from(fee["value"]) if "value" in fee else None


def order_state(order: dict[str, Any]) -> ProviderState:
    """Our view of an order: once captured, its capture's status is the payment's."""
    captures = [
        capture
        for unit in order.get("purchase_units") or []
        for capture in (unit.get("payments") or {}).get("captures") or []
    ]
    approval = next(
        (
            link["href"]
            for link in order.get("links") or []
            if link.get("rel") in {"payer-action", "approve"}
        ),
        None,
    )
    if captures:
        capture = captures[-1]
        return ProviderState(
            ref=order["id"],
            status=capture_status(capture),
            charge_ref=capture.get("id"),
            amount_cents=cents_from(capture["amount"]["value"]) if "amount" in capture else None,
            failure_code=(capture.get("status_details") or {}).get("reason"),
            fee_cents=capture_fee(capture),
        )
    return ProviderState(
        ref=order["id"],
        status=_ORDER_STATUS.get(str(order.get("status")), PaymentStatus.pending),
        approval_url=approval,
    )


def refund_state(refund: dict[str, Any]) -> RefundResult:
    return RefundResult(
        ref=refund["id"], status=_REFUND_STATUS.get(str(refund.get("status")), RefundStatus.pending)
    )


class PayPalProvider:
    provider = Provider.paypal

    def __init__(self, settings: PayPalSettings) -> None:
        self._settings = settings
        self._client_id = required(settings.client_id, "PAYPAL_CLIENT_ID")
        self._secret = required(settings.client_secret, "PAYPAL_CLIENT_SECRET").get_secret_value()
        self._client = PaypalServersdkClient(
            client_credentials_auth_credentials=ClientCredentialsAuthCredentials(
                o_auth_client_id=self._client_id, o_auth_client_secret=self._secret
            ),
            environment=Environment.SANDBOX,
            timeout=30,
        )
        # The SDK knows only PayPal's two hosts; the setting points it anywhere (a fake).
        base = settings.api_base.rstrip("/")
        self._client.config.environments = {
            Environment.SANDBOX: {Server.DEFAULT: base},
            Environment.PRODUCTION: {Server.DEFAULT: base},
        }
        self._token: tuple[str, float] | None = None

    async def start(self, charge: Charge) -> ProviderState:
        body = OrderRequest(
            intent=CheckoutPaymentIntent.CAPTURE,
            purchase_units=[
                PurchaseUnitRequest(
                    amount=AmountWithBreakdown(
                        currency_code=charge.currency, value=_amount(charge.amount_cents)
                    ),
                    reference_id=str(charge.payment_id),
                    custom_id=str(charge.payment_id),
                    description=charge.description[:127],
                )
            ],
            payment_source=PaymentSource(
                paypal=PaypalWallet(
                    experience_context=PaypalWalletExperienceContext(
                        return_url=charge.return_url,
                        cancel_url=charge.cancel_url,
                        user_action="PAY_NOW",
                        shipping_preference="NO_SHIPPING",
                        locale="fr-FR",
                    )
                )
            ),
        )
        order = await self._call(
            self._client.orders.create_order,
            {"body": body, "paypal_request_id": f"order-{charge.payment_id}"},
        )
        return order_state(order)

    async def fetch(
        self, ref: str, *, reader_ref: str | None = None, session_ref: str | None = None
    ) -> ProviderState:
        return order_state(await self._call(self._client.orders.get_order, {"id": ref}))

    async def capture(self, ref: str, *, key: str) -> ProviderState:
        """Capture an approved order. A retried capture may hear ORDER_ALREADY_CAPTURED: the
        order then says what happened."""
        try:
            order = await self._call(
                self._client.orders.capture_order,
                {"id": ref, "paypal_request_id": key, "prefer": "return=representation"},
            )
        except ProviderRefused as exc:
            if "ORDER_ALREADY_CAPTURED" not in str(exc):
                raise
            return await self.fetch(ref)
        return order_state(order)

    async def cancel(self, ref: str, *, reader_ref: str | None = None) -> None:
        """An uncaptured order simply expires at PayPal; nothing to call."""

    async def refund(
        self,
        *,
        payment_ref: str,
        charge_ref: str | None,
        amount_cents: int,
        currency: str,
        key: str,
    ) -> RefundResult:
        if charge_ref is None:
            raise ProviderRefused("PayPal: this order has no capture to refund.")
        refund = await self._call(
            self._client.payments.refund_captured_payment,
            {
                "capture_id": charge_ref,
                "body": RefundRequest(
                    amount=Money(currency_code=currency, value=_amount(amount_cents))
                ),
                "paypal_request_id": key,
                "prefer": "return=representation",
            },
        )
        return refund_state(refund)

    async def verify_webhook(self, headers: dict[str, str], event: dict[str, Any]) -> bool:
        """Ask PayPal whether it sent this event to our webhook (its documented check)."""
        if not self._settings.webhook_id:
            return False
        names = (
            "auth_algo",
            "cert_url",
            "transmission_id",
            "transmission_sig",
            "transmission_time",
        )
        fields = {name: headers.get(f"paypal-{name.replace('_', '-')}") for name in names}
        if not all(fields.values()):
            return False
        token = await self._access_token()
        async with httpx.AsyncClient(base_url=self._settings.api_base, timeout=30) as http:
            try:
                response = await http.post(
                    "/v1/notifications/verify-webhook-signature",
                    headers={"Authorization": f"Bearer {token}"},
                    json={
                        **fields,
                        "webhook_id": self._settings.webhook_id,
                        "webhook_event": event,
                    },
                )
            except httpx.HTTPError as exc:
                raise ProviderUnavailable("PayPal: the signature check did not answer.") from exc
        if response.status_code >= 500:
            raise ProviderUnavailable("PayPal: the signature check failed on PayPal's side.")
        return response.is_success and response.json().get("verification_status") == "SUCCESS"

    async def _access_token(self) -> str:
        if self._token and self._token[1] > time.monotonic():
            return self._token[0]
        async with httpx.AsyncClient(base_url=self._settings.api_base, timeout=30) as http:
            try:
                response = await http.post(
                    "/v1/oauth2/token",
                    data={"grant_type": "client_credentials"},
                    auth=(self._client_id, self._secret),
                )
                response.raise_for_status()
            except httpx.HTTPError as exc:
                raise ProviderUnavailable("PayPal: no access token.") from exc
        data = response.json()
        self._token = (data["access_token"], time.monotonic() + int(data["expires_in"]) - 60)
        return self._token[0]

    async def _call(
        self, operation: Callable[[dict[str, Any]], Any], options: dict[str, Any]
    ) -> Any:
        """Run one SDK call (blocking, on a worker thread) and return its JSON body."""
        try:
            response = await asyncio.to_thread(operation, options)
        except ApiException as exc:
            status = exc.response_code
            text = getattr(exc.response, "text", "") or ""
            if status >= 500 or status == 429:
                raise ProviderUnavailable(f"PayPal answered {status}.") from exc
            raise ProviderRefused(f"PayPal refused ({status}): {_issue(text)}") from exc
        except (OSError, ValueError) as exc:  # requests' connection errors are OSErrors
            raise ProviderUnavailable("PayPal did not answer.") from exc
        return json.loads(response.text)


def _amount(cents: int) -> str:
    """PayPal's amount format: a string with two decimals."""
    return f"{cents // 100}.{cents % 100:02d}"


def _issue(text: str) -> str:
    try:
        body = json.loads(text)
    except ValueError:
        return text[:200]
    details = body.get("details") or [{}]
    return str(details[0].get("issue") or body.get("name") or body.get("message") or "")[:200]
