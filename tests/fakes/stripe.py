"""A fake of the parts of Stripe's API the salon uses (PaymentIntents, refunds, customers,
SetupIntents, PaymentMethods, payouts and the balance transactions they paid out), with its
form-encoded requests, idempotency keys, error bodies, list pagination (`limit`,
`starting_after`, `has_more`), and signed events in the 2025 "basil" shape."""

from __future__ import annotations

import json
import secrets
import time
from datetime import UTC, date, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.integrations.stripe.webhooks import stripe_signature
from tests.fakes.stripe_billing import BillingFake


def _path(request: Request) -> str:
    """The path below the fake's mount point, as the provider's API sees it."""
    return request.url.path.removeprefix(request.scope.get("root_path", ""))


API_VERSION = "2025-04-30.basil"
WEBHOOK_SECRET = "whsec_fake_endpoint_secret"
DECLINED_CARD = "pm_card_chargeDeclined"


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def card_fee(amount: int) -> int:
    """Stripe's fee on a European card: 1.5 % + 0.25 €."""
    return (amount * 15 + 500) // 1000 + 25


def _form(raw: dict[str, str]) -> dict[str, Any]:
    """Stripe's bracket notation (`metadata[payment_id]=…`, `types[0]=card`) to nested data."""
    data: dict[str, Any] = {}
    for key, value in raw.items():
        parts = key.replace("]", "").split("[")
        node = data
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return data


def _error(status: int, kind: str, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse(
        {"error": {"type": kind, "code": code, "message": message, **extra}}, status_code=status
    )


class FakeStripe(BillingFake):
    def __init__(self) -> None:
        self.app = Starlette(
            routes=[
                Route("/v1/payment_intents", self._create_intent, methods=["POST"]),
                Route("/v1/payment_intents/{id}", self._get_intent, methods=["GET"]),
                Route("/v1/payment_intents/{id}/cancel", self._cancel_intent, methods=["POST"]),
                Route("/v1/refunds", self._create_refund, methods=["POST"]),
                Route("/v1/customers", self._create_customer, methods=["POST"]),
                Route("/v1/setup_intents", self._create_setup, methods=["POST"]),
                Route("/v1/payment_methods/{id}", self._get_method, methods=["GET"]),
                Route("/v1/payment_methods/{id}/detach", self._detach, methods=["POST"]),
                Route("/v1/payouts/{id}", self._get_payout, methods=["GET"]),
                Route("/v1/balance_transactions", self._list_balance, methods=["GET"]),
                *self.billing_routes(),
            ]
        )
        self.reset()

    def reset(self) -> None:
        self.intents: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.customers: dict[str, dict[str, Any]] = {}
        self.setups: dict[str, dict[str, Any]] = {}
        # payment method id -> `card.fingerprint` (the same card saved twice: the same value)
        self.fingerprints: dict[str, str] = {}
        self.requests: list[tuple[str, str, dict[str, Any], str | None]] = []
        self._idempotent: dict[str, JSONResponse] = {}
        self.down = False
        # Money movements on the balance (type charge, refund, payout, stripe_fee…), with the
        # objects their `source` expands to, and the payouts made of them.
        self.balance: dict[str, dict[str, Any]] = {}
        self.sources: dict[str, dict[str, Any]] = {}
        self.payouts: dict[str, dict[str, Any]] = {}
        self.paid_out: dict[str, str] = {}  # balance transaction -> payout
        self.max_page = 100  # Stripe's cap on `limit`; lower it to make lists paginate
        self.reset_billing()

    async def _read(self, request: Request) -> dict[str, Any]:
        form = _form(dict(await request.form()))
        self.requests.append(
            (request.method, _path(request), form, request.headers.get("idempotency-key"))
        )
        return form

    def _once(self, request: Request, build: Any) -> JSONResponse:
        key = request.headers.get("idempotency-key")
        if key and key in self._idempotent:
            return self._idempotent[key]
        response: JSONResponse = build()
        if key and response.status_code < 500:
            self._idempotent[key] = response
        return response

    def calls(self, path_suffix: str) -> list[dict[str, Any]]:
        return [form for method, path, form, _ in self.requests if path.endswith(path_suffix)]

    # --- API ---

    async def _create_intent(self, request: Request) -> JSONResponse:
        form = await self._read(request)
        if self.down:
            return _error(500, "api_error", "internal", "Stripe is having trouble.")

        def build() -> JSONResponse:
            intent = {
                "id": _id("pi"),
                "object": "payment_intent",
                "amount": int(form["amount"]),
                "amount_received": 0,
                "currency": form["currency"],
                "customer": form.get("customer"),
                "description": form.get("description"),
                "metadata": form.get("metadata", {}),
                "payment_method": form.get("payment_method"),
                "setup_future_usage": form.get("setup_future_usage"),
                "status": "requires_payment_method",
                "latest_charge": None,
                "last_payment_error": None,
                "livemode": False,
                "created": int(time.time()),
            }
            intent["client_secret"] = f"{intent['id']}_secret_{secrets.token_hex(8)}"
            self.intents[intent["id"]] = intent
            if form.get("confirm") == "true" and form.get("off_session") == "true":
                if form.get("payment_method") == DECLINED_CARD:
                    self._decline(intent, "card_declined")
                    return _error(
                        402,
                        "card_error",
                        "card_declined",
                        "Your card was declined.",
                        decline_code="generic_decline",
                        payment_intent=intent,
                    )
                self._succeed(intent)
            return JSONResponse(intent)

        return self._once(request, build)

    async def _get_intent(self, request: Request) -> JSONResponse:
        intent = self.intents.get(request.path_params["id"])
        if intent is None:
            return _error(404, "invalid_request_error", "resource_missing", "No such intent")
        return JSONResponse(intent)

    async def _cancel_intent(self, request: Request) -> JSONResponse:
        await self._read(request)
        intent = self.intents[request.path_params["id"]]
        if intent["status"] == "succeeded":
            return _error(
                400,
                "invalid_request_error",
                "payment_intent_unexpected_state",
                "This PaymentIntent has already succeeded.",
            )
        intent["status"], intent["cancellation_reason"] = "canceled", "requested_by_customer"
        return JSONResponse(intent)

    async def _create_refund(self, request: Request) -> JSONResponse:
        form = await self._read(request)

        def build() -> JSONResponse:
            intent = self.intents.get(form.get("payment_intent", ""))
            if intent is None or intent["status"] != "succeeded":
                return _error(400, "invalid_request_error", "resource_missing", "No such charge")
            amount = int(form.get("amount", intent["amount"]))
            refunded = sum(
                r["amount"] for r in self.refunds.values() if r["payment_intent"] == intent["id"]
            )
            if amount + refunded > intent["amount"]:
                return _error(
                    400,
                    "invalid_request_error",
                    "amount_too_large",
                    "Refund amount is greater than the unrefunded amount.",
                )
            refund = {
                "id": _id("re"),
                "object": "refund",
                "amount": amount,
                "charge": intent["latest_charge"],
                "payment_intent": intent["id"],
                "currency": intent["currency"],
                "status": "succeeded",
                "failure_reason": None,
                "created": int(time.time()),
            }
            self.refunds[refund["id"]] = refund
            self._moved("refund", -amount, 0, refund)
            return JSONResponse(refund)

        return self._once(request, build)

    async def _create_customer(self, request: Request) -> JSONResponse:
        form = await self._read(request)

        def build() -> JSONResponse:
            customer = {
                "id": _id("cus"),
                "object": "customer",
                "email": form.get("email"),
                "name": form.get("name"),
                "metadata": form.get("metadata", {}),
            }
            self.customers[customer["id"]] = customer
            return JSONResponse(customer)

        return self._once(request, build)

    async def _create_setup(self, request: Request) -> JSONResponse:
        form = await self._read(request)

        def build() -> JSONResponse:
            setup = {
                "id": _id("seti"),
                "object": "setup_intent",
                "customer": form.get("customer"),
                "usage": form.get("usage"),
                "metadata": form.get("metadata", {}),
                "payment_method_types": list(form.get("payment_method_types", {}).values()),
                "status": "requires_payment_method",
                "payment_method": None,
            }
            setup["client_secret"] = f"{setup['id']}_secret_{secrets.token_hex(8)}"
            self.setups[setup["id"]] = setup
            return JSONResponse(setup)

        return self._once(request, build)

    async def _get_method(self, request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "id": request.path_params["id"],
                "object": "payment_method",
                "type": "card",
                "card": {
                    "brand": "visa",
                    "last4": "4242",
                    "exp_month": 12,
                    "exp_year": 2030,
                    "fingerprint": self.fingerprints.get(
                        request.path_params["id"], f"fp{request.path_params['id'][-14:]}"
                    ),
                },
            }
        )

    async def _detach(self, request: Request) -> JSONResponse:
        await self._read(request)
        return JSONResponse(
            {"id": request.path_params["id"], "object": "payment_method", "customer": None}
        )

    # --- what the client and Stripe do, for tests ---

    def _succeed(self, intent: dict[str, Any]) -> None:
        intent["status"], intent["amount_received"] = "succeeded", intent["amount"]
        intent["latest_charge"], intent["last_payment_error"] = _id("ch"), None
        charge = {
            "id": intent["latest_charge"],
            "object": "charge",
            "amount": intent["amount"],
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "status": "succeeded",
        }
        self._moved("charge", intent["amount"], card_fee(intent["amount"]), charge)

    def _moved(self, kind: str, amount: int, fee: int, source: dict[str, Any] | None) -> str:
        """A balance transaction: Stripe's record of money moving on the balance."""
        txn_id = _id("txn")
        if source is not None:
            source["balance_transaction"] = txn_id
            self.sources[source["id"]] = source
        self.balance[txn_id] = {
            "id": txn_id,
            "object": "balance_transaction",
            "amount": amount,
            "available_on": int(time.time()),
            "created": int(time.time()),
            "currency": "eur",
            "description": None,
            "exchange_rate": None,
            "fee": fee,
            "fee_details": (
                [
                    {
                        "amount": fee,
                        "currency": "eur",
                        "description": "Stripe processing fees",
                        "type": "stripe_fee",
                    }
                ]
                if fee
                else []
            ),
            "net": amount - fee,
            "reporting_category": kind,
            "source": source["id"] if source else None,
            "status": "available",
            "type": kind,
        }
        return txn_id

    def foreign_charge(self, amount: int) -> str:
        """A charge made outside the salon's API (another site on the same account)."""
        charge = {
            "id": _id("ch"),
            "object": "charge",
            "amount": amount,
            "currency": "eur",
            "payment_intent": _id("pi"),
            "status": "succeeded",
        }
        return self._moved("charge", amount, card_fee(amount), charge)

    def account_fee(self, amount: int) -> str:
        """A fee of its own (Radar, a monthly fee): a `stripe_fee` balance transaction."""
        return self._moved("stripe_fee", -amount, 0, None)

    def pay_out(self, arrival: date) -> dict[str, Any]:
        """Stripe's automatic payout of everything not paid out yet, arriving at the bank on
        `arrival`: returns the `payout.paid` event."""
        carried = [
            t
            for t in self.balance.values()
            if t["id"] not in self.paid_out and t["type"] != "payout"
        ]
        payout = {
            "id": _id("po"),
            "object": "payout",
            "amount": sum(t["net"] for t in carried),
            "arrival_date": int(datetime.combine(arrival, datetime.min.time(), UTC).timestamp()),
            "automatic": True,
            "currency": "eur",
            "method": "standard",
            "source_type": "card",
            "statement_descriptor": None,
            "status": "paid",
            "type": "bank_account",
            "failure_code": None,
            "failure_message": None,
            "livemode": False,
            "created": int(time.time()),
        }
        self.payouts[payout["id"]] = payout
        own = self._moved("payout", -payout["amount"], 0, None)
        payout["balance_transaction"] = own
        for txn in [*carried, self.balance[own]]:
            self.paid_out[txn["id"]] = payout["id"]
        return self.event("payout.paid", payout)

    def fail_payout(self, payout_id: str) -> dict[str, Any]:
        """The bank sent the payout back: the money returns to the balance."""
        payout = self.payouts[payout_id]
        payout["status"], payout["failure_code"] = "failed", "account_closed"
        payout["failure_balance_transaction"] = self._moved(
            "payout_failure", payout["amount"], 0, None
        )
        return self.event("payout.failed", payout)

    async def _get_payout(self, request: Request) -> JSONResponse:
        payout = self.payouts.get(request.path_params["id"])
        if payout is None:
            return _error(404, "invalid_request_error", "resource_missing", "No such payout")
        return JSONResponse(payout)

    async def _list_balance(self, request: Request) -> JSONResponse:
        query = request.query_params
        self.requests.append(("GET", _path(request), dict(query), None))
        wanted = query.get("payout")
        expand = any(v == "data.source" for k, v in query.multi_items() if k.startswith("expand"))
        rows = [
            t
            for t in self.balance.values()
            if wanted is None or self.paid_out.get(t["id"]) == wanted
        ]
        rows.sort(key=lambda t: t["id"])
        after = query.get("starting_after")
        if after:
            rows = [t for t in rows if t["id"] > after]
        limit = min(int(query.get("limit", "10")), self.max_page)
        page = [dict(t) for t in rows[:limit]]
        if expand:
            for txn in page:
                if txn["source"] in self.sources:
                    txn["source"] = self.sources[txn["source"]]
        return JSONResponse(
            {
                "object": "list",
                "data": page,
                "has_more": len(rows) > limit,
                "url": "/v1/balance_transactions",
            }
        )

    def _decline(self, intent: dict[str, Any], code: str) -> None:
        intent["status"] = "requires_payment_method"
        intent["last_payment_error"] = {
            "type": "card_error",
            "code": code,
            "decline_code": "generic_decline",
            "message": "Your card was declined.",
        }

    def pay(self, client_secret: str) -> dict[str, Any]:
        """The client confirms with a good card (Stripe.js, by the intent's client secret):
        the intent succeeds; returns the event Stripe sends."""
        intent = self.intents[client_secret.split("_secret_")[0]]
        self._succeed(intent)
        return self.event("payment_intent.succeeded", intent)

    def decline(self, client_secret: str) -> dict[str, Any]:
        intent = self.intents[client_secret.split("_secret_")[0]]
        self._decline(intent, "card_declined")
        return self.event("payment_intent.payment_failed", intent)

    def complete_setup(self, client_secret: str, fingerprint: str | None = None) -> dict[str, Any]:
        """The client saved a card (`fingerprint`: a card number another client also saved)."""
        setup = self.setups[client_secret.split("_secret_")[0]]
        setup["status"], setup["payment_method"] = "succeeded", _id("pm")
        if fingerprint is not None:
            self.fingerprints[setup["payment_method"]] = fingerprint
        return self.event("setup_intent.succeeded", setup)

    def refund_from_dashboard(self, intent_id: str, amount: int) -> dict[str, Any]:
        intent = self.intents[intent_id]
        refund = {
            "id": _id("re"),
            "object": "refund",
            "amount": amount,
            "charge": intent["latest_charge"],
            "payment_intent": intent_id,
            "currency": intent["currency"],
            "status": "succeeded",
            "failure_reason": None,
        }
        self.refunds[refund["id"]] = refund
        self._moved("refund", -amount, 0, refund)
        return self.event("refund.created", refund)

    def charge_refunded(self, intent_id: str) -> dict[str, Any]:
        """The `charge.refunded` event Stripe sends after refunds of an intent's charge, with
        the charge's refunds in it."""
        intent = self.intents[intent_id]
        refunds = [r for r in self.refunds.values() if r["payment_intent"] == intent_id]
        charge = {
            "id": intent["latest_charge"],
            "object": "charge",
            "amount": intent["amount"],
            "amount_refunded": sum(r["amount"] for r in refunds),
            "currency": intent["currency"],
            "payment_intent": intent_id,
            "refunded": sum(r["amount"] for r in refunds) >= intent["amount"],
            "refunds": {"object": "list", "data": refunds, "has_more": False},
        }
        return self.event("charge.refunded", charge)

    @staticmethod
    def event(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": _id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "data": {"object": json.loads(json.dumps(obj))},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": _id("req"), "idempotency_key": None},
            "type": kind,
        }

    @staticmethod
    def signed(
        event: dict[str, Any], *, at: int, secret: str = WEBHOOK_SECRET
    ) -> tuple[bytes, str]:
        """The body and `Stripe-Signature` header Stripe would send at unix time `at`."""
        body = json.dumps(event).encode()
        return body, f"t={at},v1={stripe_signature(secret, body=body, timestamp=at)}"
