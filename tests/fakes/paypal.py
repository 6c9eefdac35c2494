"""A fake of PayPal's REST API for Orders v2: OAuth token, create, get, capture (with
PayPal-Request-Id and ORDER_ALREADY_CAPTURED), refunds of captures, the
verify-webhook-signature call, and webhook events as PayPal sends them."""

from __future__ import annotations

import base64
import secrets
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def _path(request: Request) -> str:
    """The path below the fake's mount point, as the provider's API sees it."""
    return request.url.path.removeprefix(request.scope.get("root_path", ""))


CLIENT_ID = "fake-paypal-client"
CLIENT_SECRET = "fake-paypal-secret"
WEBHOOK_ID = "1JE4291016473214C"


def _id() -> str:
    return secrets.token_hex(8).upper()


def paypal_fee(cents: int) -> int:
    """PayPal's fee on a domestic payment: 2.9 % + 0.35 €."""
    return (cents * 29 + 500) // 1000 + 35


def _breakdown(amount: dict[str, str]) -> dict[str, Any]:
    """`seller_receivable_breakdown`: the gross, PayPal's fee and the net, as strings."""
    gross = round(float(amount["value"]) * 100)
    fee = paypal_fee(gross)

    def money(cents: int) -> dict[str, str]:
        return {
            "currency_code": amount["currency_code"],
            "value": f"{cents // 100}.{cents % 100:02d}",
        }

    return {
        "gross_amount": money(gross),
        "paypal_fee": money(fee),
        "net_amount": money(gross - fee),
    }


def _problem(status: int, name: str, issue: str) -> JSONResponse:
    return JSONResponse(
        {
            "name": name,
            "message": "The requested action could not be performed.",
            "debug_id": secrets.token_hex(6),
            "details": [{"issue": issue, "description": issue.replace("_", " ").lower()}],
        },
        status_code=status,
    )


class FakePayPal:
    def __init__(self) -> None:
        self.app = Starlette(
            routes=[
                Route("/v1/oauth2/token", self._token, methods=["POST"]),
                Route("/v2/checkout/orders", self._create, methods=["POST"]),
                Route("/v2/checkout/orders/{id}", self._get, methods=["GET"]),
                Route("/v2/checkout/orders/{id}/capture", self._capture, methods=["POST"]),
                Route("/v2/payments/captures/{id}/refund", self._refund, methods=["POST"]),
                Route("/v1/notifications/verify-webhook-signature", self._verify, methods=["POST"]),
            ]
        )
        self.reset()

    def reset(self) -> None:
        self.orders: dict[str, dict[str, Any]] = {}
        self.approved: set[str] = set()
        self.requests: list[tuple[str, str, Any, dict[str, str]]] = []
        self._by_request_id: dict[str, JSONResponse] = {}
        self._signatures: dict[str, str] = {}
        self.tokens_issued = 0

    def _authorized(self, request: Request) -> bool:
        return request.headers.get("authorization", "").startswith("Bearer fake-token-")

    async def _record(self, request: Request) -> Any:
        body = await request.json() if await request.body() else None
        self.requests.append((request.method, _path(request), body, dict(request.headers)))
        return body

    def _replay(self, request: Request) -> JSONResponse | None:
        key = request.headers.get("paypal-request-id")
        return self._by_request_id.get(f"{_path(request)}:{key}") if key else None

    def _remember(self, request: Request, response: JSONResponse) -> JSONResponse:
        key = request.headers.get("paypal-request-id")
        if key:
            self._by_request_id[f"{_path(request)}:{key}"] = response
        return response

    async def _token(self, request: Request) -> JSONResponse:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return JSONResponse(
                {"error": "invalid_client", "error_description": "Client Authentication failed"},
                status_code=401,
            )
        self.tokens_issued += 1
        return JSONResponse(
            {
                "scope": "https://uri.paypal.com/services/payments/payment",
                "access_token": f"fake-token-{secrets.token_hex(8)}",
                "token_type": "Bearer",
                "app_id": "APP-80W284485P519543T",
                "expires_in": 32400,
                "nonce": secrets.token_hex(8),
            }
        )

    async def _create(self, request: Request) -> JSONResponse:
        if not self._authorized(request):
            return _problem(401, "AUTHENTICATION_FAILURE", "INVALID_TOKEN")
        body = await self._record(request)
        if (replay := self._replay(request)) is not None:
            return replay
        order_id = _id()
        unit = body["purchase_units"][0]
        order = {
            "id": order_id,
            "intent": body["intent"],
            "status": "PAYER_ACTION_REQUIRED",
            "purchase_units": [
                {
                    "reference_id": unit.get("reference_id"),
                    "custom_id": unit.get("custom_id"),
                    "amount": unit["amount"],
                }
            ],
            "links": [
                {
                    "href": f"https://api.sandbox.paypal.com/v2/checkout/orders/{order_id}",
                    "rel": "self",
                    "method": "GET",
                },
                {
                    "href": f"https://www.sandbox.paypal.com/checkoutnow?token={order_id}",
                    "rel": "payer-action",
                    "method": "GET",
                },
            ],
        }
        self.orders[order_id] = order
        return self._remember(request, JSONResponse(order))

    async def _get(self, request: Request) -> JSONResponse:
        order = self.orders.get(request.path_params["id"])
        if order is None:
            return _problem(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID")
        return JSONResponse(order)

    async def _capture(self, request: Request) -> JSONResponse:
        if not self._authorized(request):
            return _problem(401, "AUTHENTICATION_FAILURE", "INVALID_TOKEN")
        await self._record(request)
        if (replay := self._replay(request)) is not None:
            return replay
        order = self.orders.get(request.path_params["id"])
        if order is None:
            return _problem(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID")
        if order["status"] == "COMPLETED":
            return _problem(422, "UNPROCESSABLE_ENTITY", "ORDER_ALREADY_CAPTURED")
        if order["id"] not in self.approved:
            return _problem(422, "UNPROCESSABLE_ENTITY", "ORDER_NOT_APPROVED")
        unit = order["purchase_units"][0]
        capture_id = _id()
        unit["payments"] = {
            "captures": [
                {
                    "id": capture_id,
                    "status": "COMPLETED",
                    "amount": unit["amount"],
                    "final_capture": True,
                    "seller_receivable_breakdown": _breakdown(unit["amount"]),
                    "custom_id": unit.get("custom_id"),
                    "links": [
                        {
                            "href": f"https://api.sandbox.paypal.com/v2/payments/captures/{capture_id}",
                            "rel": "self",
                            "method": "GET",
                        },
                        {
                            "href": f"https://api.sandbox.paypal.com/v2/checkout/orders/{order['id']}",
                            "rel": "up",
                            "method": "GET",
                        },
                    ],
                }
            ]
        }
        order["status"] = "COMPLETED"
        order["payer"] = {
            "name": {"given_name": "Camille", "surname": "Martin"},
            "email_address": "camille@example.com",
        }
        return self._remember(request, JSONResponse(order, status_code=201))

    async def _refund(self, request: Request) -> JSONResponse:
        if not self._authorized(request):
            return _problem(401, "AUTHENTICATION_FAILURE", "INVALID_TOKEN")
        body = await self._record(request)
        if (replay := self._replay(request)) is not None:
            return replay
        capture_id = request.path_params["id"]
        refund = {
            "id": _id(),
            "status": "COMPLETED",
            "amount": (body or {}).get("amount"),
            "links": [
                {
                    "href": f"https://api.sandbox.paypal.com/v2/payments/captures/{capture_id}",
                    "rel": "up",
                    "method": "GET",
                }
            ],
        }
        return self._remember(request, JSONResponse(refund, status_code=201))

    async def _verify(self, request: Request) -> JSONResponse:
        if not self._authorized(request):
            return _problem(401, "AUTHENTICATION_FAILURE", "INVALID_TOKEN")
        body = await self._record(request)
        valid = (
            body.get("webhook_id") == WEBHOOK_ID
            and self._signatures.get(body.get("transmission_id", ""))
            == body.get("transmission_sig")
            and body.get("webhook_event", {}).get("id") is not None
        )
        return JSONResponse({"verification_status": "SUCCESS" if valid else "FAILURE"})

    # --- what the buyer and PayPal do, for tests ---

    def approve(self, order_id: str) -> dict[str, Any]:
        """The buyer approves on PayPal; returns the CHECKOUT.ORDER.APPROVED event."""
        self.approved.add(order_id)
        order = self.orders[order_id]
        order["status"] = "APPROVED"
        return self.event("CHECKOUT.ORDER.APPROVED", "checkout-order", order)

    def capture_completed(self, order_id: str) -> dict[str, Any]:
        order = self.orders[order_id]
        capture = order["purchase_units"][0]["payments"]["captures"][0]
        resource = dict(capture, supplementary_data={"related_ids": {"order_id": order_id}})
        return self.event("PAYMENT.CAPTURE.COMPLETED", "capture", resource)

    @staticmethod
    def event(kind: str, resource_type: str, resource: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": f"WH-{_id()}-{_id()}",
            "event_version": "1.0",
            "create_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "resource_type": resource_type,
            "resource_version": "2.0",
            "event_type": kind,
            "summary": kind,
            "resource": resource,
        }

    def headers_for(self, event: dict[str, Any], *, forged: bool = False) -> dict[str, str]:
        """The five paypal-* headers of a delivery; PayPal's verify call accepts them."""
        transmission = secrets.token_hex(16)
        signature = base64.b64encode(secrets.token_bytes(64)).decode()
        if not forged:
            self._signatures[transmission] = signature
        return {
            "paypal-transmission-id": transmission,
            "paypal-transmission-time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "paypal-transmission-sig": signature,
            "paypal-cert-url": "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-fake",
            "paypal-auth-algo": "SHA256withRSA",
        }
