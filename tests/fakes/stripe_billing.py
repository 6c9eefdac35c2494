"""Stripe Billing in the fake Stripe (mounted by tests/fakes/stripe.py): products, prices,
subscriptions created `default_incomplete` with their first invoice, updates (cancel at period
end, pause_collection, a new price with its proration), cancellation, customers' default card,
and `POST /v1/invoices/{id}/pay` with a configurable outcome.

The test drives what happens next and receives the events Stripe would send, in the orders
recorded in ../shared/provider-samples/stripe/billing/event_sequences_and_dunning_notes.json
(`first_payment(order=...)`, `renew(...)`), each with a `created` later than the one before,
so a test can post them in any order and the receiver can still tell which is newer."""

from __future__ import annotations

import json
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.core.clock import utcnow

MONTH = 30 * 24 * 3600
YEAR = 365 * 24 * 3600
HARD = {"stolen_card", "lost_card", "do_not_honor", "fraudulent", "pickup_card"}
# pay-rails #282: the same checkout, seen in two orders (the second left apps "incomplete").
ORDERS = {
    "successful_checkout_active": [
        "invoice.created",
        "customer.subscription.created",
        "invoice.finalized",
        "customer.subscription.updated",
        "invoice.paid",
    ],
    "same_flow_left_incomplete_in_app": [
        "invoice.created",
        "customer.subscription.updated",
        "customer.subscription.created",
        "invoice.paid",
        "invoice.finalized",
    ],
}


def _bid(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def _copy(obj: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(json.dumps(obj)))


class BillingFake:
    """Mixed into FakeStripe (which provides `_read`, `_once`, `customers`, `event`)."""

    customers: dict[str, dict[str, Any]]

    def reset_billing(self) -> None:
        self.products: dict[str, dict[str, Any]] = {}
        self.prices: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.invoices: dict[str, dict[str, Any]] = {}
        # The next `invoices/{id}/pay`: None pays, a decline code declines.
        self.pay_outcome: str | None = None
        self._tick = 0

    def billing_routes(self) -> list[Route]:
        return [
            Route("/v1/products", self._create_product, methods=["POST"]),
            Route("/v1/products/{id}", self._update_product, methods=["POST"]),
            Route("/v1/prices", self._create_price, methods=["POST"]),
            Route("/v1/prices/{id}", self._update_price, methods=["POST"]),
            Route("/v1/customers/{id}", self._update_customer, methods=["POST"]),
            Route("/v1/subscriptions", self._create_subscription, methods=["POST"]),
            Route("/v1/subscriptions/{id}", self._get_subscription, methods=["GET"]),
            Route("/v1/subscriptions/{id}", self._update_subscription, methods=["POST"]),
            Route("/v1/subscriptions/{id}", self._cancel_subscription, methods=["DELETE"]),
            Route("/v1/invoices/{id}", self._get_invoice, methods=["GET"]),
            Route("/v1/invoices/{id}/pay", self._pay_invoice, methods=["POST"]),
        ]

    def _now(self) -> int:
        """Stripe's clock follows ours (tests pin it), and never gives one second twice."""
        self._tick = max(self._tick + 1, int(utcnow().timestamp()))
        return self._tick

    def billing_event(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        event: dict[str, Any] = self.event(kind, obj)  # type: ignore[attr-defined]
        event["created"] = self._now()
        return event

    # --- API ---

    async def _create_product(self, request: Request) -> JSONResponse:
        form = await self._read(request)  # type: ignore[attr-defined]

        def build() -> JSONResponse:
            product = {"id": _bid("prod"), "object": "product", "active": True, **form}
            self.products[product["id"]] = product
            return JSONResponse(product)

        return self._once(request, build)  # type: ignore[attr-defined,no-any-return]

    async def _update_product(self, request: Request) -> JSONResponse:
        form = await self._read(request)  # type: ignore[attr-defined]
        product = self.products[request.path_params["id"]]
        product.update(form)
        return JSONResponse(product)

    async def _create_price(self, request: Request) -> JSONResponse:
        form = await self._read(request)  # type: ignore[attr-defined]

        def build() -> JSONResponse:
            price = {
                "id": _bid("price"),
                "object": "price",
                "active": True,
                "product": form["product"],
                "unit_amount": int(form["unit_amount"]),
                "currency": form["currency"],
                "recurring": {"interval": form["recurring"]["interval"], "interval_count": 1},
                "tax_behavior": form.get("tax_behavior"),
            }
            self.prices[price["id"]] = price
            return JSONResponse(price)

        return self._once(request, build)  # type: ignore[attr-defined,no-any-return]

    async def _update_price(self, request: Request) -> JSONResponse:
        form = await self._read(request)  # type: ignore[attr-defined]
        price = self.prices[request.path_params["id"]]
        if "active" in form:
            price["active"] = form["active"] == "true"
        return JSONResponse(price)

    async def _update_customer(self, request: Request) -> JSONResponse:
        form = await self._read(request)  # type: ignore[attr-defined]
        customer = self.customers.setdefault(request.path_params["id"], {"id": "?"})
        customer.update(form)
        return JSONResponse(customer)

    def _length(self, price: dict[str, Any]) -> int:
        return YEAR if price["recurring"]["interval"] == "year" else MONTH

    def _invoice(
        self, sub: dict[str, Any], reason: str, start: int, amount: int | None = None
    ) -> dict[str, Any]:
        price = self.prices[sub["items"]["data"][0]["price"]["id"]]
        end = start + self._length(price)
        invoice_id = _bid("in")
        invoice = {
            "id": invoice_id,
            "object": "invoice",
            "customer": sub["customer"],
            "status": "open",
            "billing_reason": reason,
            "amount_due": price["unit_amount"] if amount is None else amount,
            "amount_paid": 0,
            "total": price["unit_amount"] if amount is None else amount,
            "currency": "eur",
            "attempt_count": 0,
            "attempted": False,
            "next_payment_attempt": None,
            "hosted_invoice_url": f"https://invoice.stripe.com/i/acct_fake/{invoice_id}",
            "created": self._now(),
            "parent": {
                "type": "subscription_details",
                "subscription_details": {"subscription": sub["id"], "metadata": sub["metadata"]},
            },
            "lines": {
                "object": "list",
                "data": [
                    {
                        "id": _bid("il"),
                        "amount": price["unit_amount"] if amount is None else amount,
                        "period": {"start": start, "end": end},
                        "parent": {
                            "type": "subscription_item_details",
                            "subscription_item_details": {
                                "subscription": sub["id"],
                                "proration": reason == "subscription_update",
                            },
                        },
                    }
                ],
            },
            "confirmation_secret": {
                "type": "payment_intent",
                "client_secret": f"pi_{invoice_id}_secret_{secrets.token_hex(6)}",
            },
            "status_transitions": {"paid_at": None, "finalized_at": None},
        }
        self.invoices[invoice_id] = invoice
        return invoice

    async def _create_subscription(self, request: Request) -> JSONResponse:
        form = await self._read(request)  # type: ignore[attr-defined]

        def build() -> JSONResponse:
            price = self.prices.get(form["items"]["0"]["price"])
            if price is None or not price["active"]:
                return JSONResponse(
                    {"error": {"type": "invalid_request_error", "code": "resource_missing"}},
                    status_code=400,
                )
            now = self._now()
            sub: dict[str, Any] = {
                "id": _bid("sub"),
                "object": "subscription",
                "customer": form["customer"],
                "status": "incomplete",
                "created": now,
                "metadata": form.get("metadata", {}),
                "cancel_at_period_end": False,
                "canceled_at": None,
                "pause_collection": None,
                "default_payment_method": None,
                "items": {
                    "object": "list",
                    "data": [
                        {
                            "id": _bid("si"),
                            "price": price,
                            "current_period_start": now,
                            "current_period_end": now + self._length(price),
                        }
                    ],
                },
            }
            self.subscriptions[sub["id"]] = sub
            invoice = self._invoice(sub, "subscription_create", now)
            sub["latest_invoice"] = invoice["id"]
            answer = _copy(sub)
            answer["latest_invoice"] = _copy(invoice)
            return JSONResponse(answer)

        return self._once(request, build)  # type: ignore[attr-defined,no-any-return]

    async def _get_subscription(self, request: Request) -> JSONResponse:
        sub = self.subscriptions.get(request.path_params["id"])
        if sub is None:
            return JSONResponse({"error": {"code": "resource_missing"}}, status_code=404)
        return JSONResponse(sub)

    async def _update_subscription(self, request: Request) -> JSONResponse:
        form = await self._read(request)  # type: ignore[attr-defined]
        sub = self.subscriptions[request.path_params["id"]]
        if "cancel_at_period_end" in form:
            sub["cancel_at_period_end"] = form["cancel_at_period_end"] == "true"
        if "pause_collection" in form:
            paused = form["pause_collection"]
            sub["pause_collection"] = (
                {"behavior": paused["behavior"], "resumes_at": int(paused["resumes_at"])}
                if paused
                else None
            )
        if "default_payment_method" in form:
            sub["default_payment_method"] = form["default_payment_method"]
        if "items" in form:
            item = sub["items"]["data"][0]
            item["price"] = self.prices[form["items"]["0"]["price"]]
            sub["last_proration_behavior"] = form.get("proration_behavior")
        return JSONResponse(sub)

    async def _cancel_subscription(self, request: Request) -> JSONResponse:
        await self._read(request)  # type: ignore[attr-defined]
        sub = self.subscriptions[request.path_params["id"]]
        sub["status"], sub["canceled_at"] = "canceled", self._now()
        return JSONResponse(sub)

    async def _get_invoice(self, request: Request) -> JSONResponse:
        return JSONResponse(self.invoices[request.path_params["id"]])

    async def _pay_invoice(self, request: Request) -> JSONResponse:
        await self._read(request)  # type: ignore[attr-defined]
        invoice = self.invoices[request.path_params["id"]]
        invoice["attempt_count"] += 1
        if self.pay_outcome is not None:
            code = self.pay_outcome
            return JSONResponse(
                {
                    "error": {
                        "type": "card_error",
                        "code": "card_declined",
                        "decline_code": code,
                        "message": "Your card was declined.",
                    }
                },
                status_code=402,
            )
        self._mark_paid(invoice)
        return JSONResponse(invoice)

    # --- what the test makes happen ---

    def _mark_paid(self, invoice: dict[str, Any]) -> None:
        invoice["status"], invoice["amount_paid"] = "paid", invoice["amount_due"]
        invoice["status_transitions"]["paid_at"] = self._now()
        sub = self.subscriptions[invoice["parent"]["subscription_details"]["subscription"]]
        if sub["status"] in {"incomplete", "past_due"}:
            sub["status"] = "active"

    def first_payment(
        self, subscription_id: str, *, order: str = "successful_checkout_active"
    ) -> list[dict[str, Any]]:
        """The client confirmed the first payment (3-D Secure passed): the events, in one of
        the recorded orders, each with the object as it was when Stripe sent it."""
        sub = self.subscriptions[subscription_id]
        invoice = self.invoices[sub["latest_invoice"]]
        created = {"customer.subscription.created": _copy(sub), "invoice.created": _copy(invoice)}
        invoice["status_transitions"]["finalized_at"] = self._now()
        created["invoice.finalized"] = _copy(invoice)
        self._mark_paid(invoice)
        invoice["attempt_count"], invoice["attempted"] = 1, True
        created["customer.subscription.updated"] = _copy(sub)
        created["invoice.paid"] = _copy(invoice)
        stamps = {kind: self._now() for kind in ORDERS["successful_checkout_active"]}
        events = []
        for kind in ORDERS[order]:
            event = self.event(kind, created[kind])  # type: ignore[attr-defined]
            event["created"] = stamps[kind]  # when Stripe made it, whatever the delivery order
            events.append(event)
        return events

    def renew(
        self, subscription_id: str, *, decline_code: str | None = None
    ) -> list[dict[str, Any]]:
        """The period ended: a new invoice (subscription_cycle), paid or declined."""
        sub = self.subscriptions[subscription_id]
        item = sub["items"]["data"][0]
        start = item["current_period_end"]
        invoice = self._invoice(sub, "subscription_cycle", start)
        sub["latest_invoice"] = invoice["id"]
        events = [self.billing_event("invoice.created", _copy(invoice))]
        invoice["status_transitions"]["finalized_at"] = self._now()
        events.append(self.billing_event("invoice.finalized", _copy(invoice)))
        invoice["attempt_count"], invoice["attempted"] = 1, True
        item["current_period_start"] = start
        item["current_period_end"] = invoice["lines"]["data"][0]["period"]["end"]
        if decline_code is None:
            self._mark_paid(invoice)
            events.append(self.billing_event("invoice.paid", _copy(invoice)))
        else:
            sub["status"] = "past_due"
            hard = decline_code in HARD
            invoice["next_payment_attempt"] = None if hard else self._tick + 3 * 24 * 3600
            invoice["last_finalization_error"] = None
            invoice["last_payment_error"] = {"code": "card_declined", "decline_code": decline_code}
            events.append(self.billing_event("invoice.payment_failed", _copy(invoice)))
        events.append(self.billing_event("customer.subscription.updated", _copy(sub)))
        return events

    def action_required(self, subscription_id: str) -> dict[str, Any]:
        """The renewal needs 3-D Secure: the client pays on the hosted invoice page."""
        sub = self.subscriptions[subscription_id]
        invoice = self.invoices[sub["latest_invoice"]]
        return self.billing_event("invoice.payment_action_required", _copy(invoice))

    def subscription_event(self, subscription_id: str, kind: str) -> dict[str, Any]:
        """`customer.subscription.updated` / `.deleted` with the subscription as it is now."""
        sub = self.subscriptions[subscription_id]
        if kind == "customer.subscription.deleted":
            sub["status"], sub["canceled_at"] = "canceled", self._now()
        return self.billing_event(kind, _copy(sub))
