"""A fake of SumUp's API for the Solo card reader: pairing, reader checkouts (with
READER_BUSY within 60 s and READER_OFFLINE), their status, terminate, transactions (by client
transaction id or transaction code) and refunds, the unsigned callback the reader posts to
`return_url`, and the payouts list (`GET /v1.0/merchants/{code}/payouts`: one row per sale
or deduction paid out, amounts in major units)."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def _path(request: Request) -> str:
    """The path below the fake's mount point, as the provider's API sees it."""
    return request.url.path.removeprefix(request.scope.get("root_path", ""))


MERCHANT = "MFAKE123"
API_KEY = "sup_sk_fake"
PAIRING_CODE = "ABC123XYZ"
OFFLINE_READER_NAME = "Débranché"


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _errors(kind: str, detail: str) -> JSONResponse:
    return JSONResponse({"errors": {"type": kind, "detail": detail}}, status_code=422)


class FakeSumUp:
    def __init__(self) -> None:
        base = "/v0.1/merchants/{merchant}/readers"
        self.app = Starlette(
            routes=[
                Route(base, self._pair, methods=["POST"]),
                Route(base + "/{reader}", self._delete, methods=["DELETE"]),
                Route(base + "/{reader}/checkout", self._checkout, methods=["POST"]),
                Route(base + "/{reader}/checkout/{checkout}", self._get_checkout, methods=["GET"]),
                Route(base + "/{reader}/terminate", self._terminate, methods=["POST"]),
                Route(
                    "/v2.1/merchants/{merchant}/transactions", self._transaction, methods=["GET"]
                ),
                Route("/v1.0/merchants/{merchant}/payouts", self._payouts, methods=["GET"]),
                Route(
                    "/v1.0/merchants/{merchant}/payments/{txn}/refunds",
                    self._refund,
                    methods=["POST"],
                ),
            ]
        )
        self.reset()

    def reset(self) -> None:
        self.readers: dict[str, dict[str, Any]] = {}
        self.checkouts: dict[str, dict[str, Any]] = {}
        self.refunds: list[tuple[str, Any]] = []
        self.terminated: list[str] = []
        self.requests: list[tuple[str, str, Any]] = []
        self.payout_rows: list[dict[str, Any]] = []

    def _ok(self, request: Request) -> bool:
        return (
            request.headers.get("authorization") == f"Bearer {API_KEY}"
            and request.path_params.get("merchant") == MERCHANT
        )

    async def _pair(self, request: Request) -> Response:
        if not self._ok(request):
            return JSONResponse({"title": "Unauthorized"}, status_code=401)
        body = await request.json()
        self.requests.append(("POST", _path(request), body))
        if body.get("pairing_code") != PAIRING_CODE:
            return JSONResponse(
                {"type": "not_found", "title": "Not Found", "status": 404},
                status_code=404,
                media_type="application/problem+json",
            )
        reader = {
            "id": f"rdr_{secrets.token_hex(13).upper()}",
            "name": body["name"],
            "status": "processing",
            "device": {"identifier": f"U1DT{secrets.token_hex(3).upper()}-CN", "model": "solo"},
            "created_at": _now(),
            "updated_at": _now(),
        }
        self.readers[reader["id"]] = reader
        return JSONResponse(reader, status_code=201)

    async def _delete(self, request: Request) -> Response:
        if self.readers.pop(request.path_params["reader"], None) is None:
            return JSONResponse({"title": "Not Found"}, status_code=404)
        return Response(status_code=200)

    async def _checkout(self, request: Request) -> Response:
        if not self._ok(request):
            return JSONResponse({"title": "Unauthorized"}, status_code=401)
        reader_id = request.path_params["reader"]
        body = await request.json()
        self.requests.append(("POST", _path(request), body))
        reader = self.readers.get(reader_id)
        if reader is None:
            return JSONResponse({"errors": {"detail": "Not found"}}, status_code=404)
        if reader["name"] == OFFLINE_READER_NAME:
            return _errors("READER_OFFLINE", "The device is offline.")
        recent = datetime.now(UTC) - timedelta(seconds=60)
        for other in self.checkouts.values():
            if (
                other["reader"] == reader_id
                and other["status"] == "pending"
                and other["created"] > recent
            ):
                return _errors("READER_BUSY", "There is a pending checkout for the device.")
        checkout_id = str(uuid.uuid4())
        self.checkouts[checkout_id] = {
            "reader": reader_id,
            "checkout_id": checkout_id,
            "client_transaction_id": str(uuid.uuid4()),
            "transaction_id": str(uuid.uuid4()),
            "transaction_code": f"T{secrets.token_hex(5).upper()}",
            "status": "pending",
            "amount": body["total_amount"],
            "return_url": body.get("return_url"),
            "created": datetime.now(UTC),
        }
        checkout = self.checkouts[checkout_id]
        return JSONResponse(
            {
                "data": {
                    "checkout_id": checkout_id,
                    "client_transaction_id": checkout["client_transaction_id"],
                }
            },
            status_code=201,
        )

    async def _get_checkout(self, request: Request) -> Response:
        checkout = self.checkouts.get(request.path_params["checkout"])
        if checkout is None:
            return JSONResponse({"errors": {"detail": "Not found"}}, status_code=404)
        return JSONResponse(
            {
                "data": {
                    "card_type": "debit",
                    "checkout_id": checkout["checkout_id"],
                    "client_transaction_id": checkout["client_transaction_id"],
                    "created_at": checkout["created"].isoformat(),
                    "installments": 1,
                    "payment_failure_reason": "declined"
                    if checkout["status"] == "failed"
                    else None,
                    "payment_status": checkout["status"].upper(),
                    "payment_type": "card",
                    "reader_firmware_version": "3.3.30.0",
                    "reader_serial_number": "1234567890",
                    "status": checkout["status"],
                    "total_amount": checkout["amount"],
                    "updated_at": _now(),
                    "valid_until": None,
                }
            }
        )

    async def _terminate(self, request: Request) -> Response:
        reader_id = request.path_params["reader"]
        self.terminated.append(reader_id)
        for checkout in self.checkouts.values():
            if checkout["reader"] == reader_id and checkout["status"] == "pending":
                checkout["status"] = "cancelled"
        return Response(status_code=202)

    async def _transaction(self, request: Request) -> Response:
        query = request.query_params
        for checkout in self.checkouts.values():
            if checkout["client_transaction_id"] == query.get("client_transaction_id") or checkout[
                "transaction_code"
            ] == query.get("transaction_code"):
                return JSONResponse(
                    {
                        "id": checkout["transaction_id"],
                        "client_transaction_id": checkout["client_transaction_id"],
                        "transaction_code": checkout["transaction_code"],
                        "amount": checkout["amount"]["value"] / 100,
                        "currency": checkout["amount"]["currency"],
                        "status": "SUCCESSFUL" if checkout["status"] == "successful" else "FAILED",
                    }
                )
        return JSONResponse({"error_code": "NOT_FOUND"}, status_code=404)

    async def _refund(self, request: Request) -> Response:
        body = await request.json() if await request.body() else None
        self.refunds.append((request.path_params["txn"], body))
        return JSONResponse({}, status_code=201)

    async def _payouts(self, request: Request) -> Response:
        if not self._ok(request):
            return JSONResponse({"title": "Unauthorized", "status": 401}, status_code=401)
        query = request.query_params
        missing = [
            {"error_code": "MISSING", "message": "Validation error: required", "param": name}
            for name in ("start_date", "end_date")
            if not query.get(name)
        ]
        if missing:
            return JSONResponse(missing, status_code=400)
        start, end = date.fromisoformat(query["start_date"]), date.fromisoformat(query["end_date"])
        self.requests.append(("GET", _path(request), dict(query)))
        rows = [r for r in self.payout_rows if start <= date.fromisoformat(r["date"]) <= end]
        return JSONResponse(sorted(rows, key=lambda r: (r["date"], r["id"])))

    def pay_out(
        self,
        day: date,
        sales: list[tuple[str, int]],
        *,
        refunds: list[tuple[str, int]] = (),  # type: ignore[assignment]
        status: str = "SUCCESSFUL",
    ) -> str:
        """SumUp pays out on `day` the sales (transaction code, fee in cents) and takes back
        the refunds (transaction code, amount in cents): one row each, as its list shows.
        Returns the payout's reference."""
        reference = f"payout-{day.isoformat()}"
        by_code = {c["transaction_code"]: c for c in self.checkouts.values()}
        for code, fee in sales:
            gross = by_code[code]["amount"]["value"] if code in by_code else 1000
            self._row("PAYOUT", gross - fee, fee, day, code, reference, status)
        for code, amount in refunds:
            self._row("REFUND_DEDUCTION", amount, 0, day, code, reference, status)
        return reference

    def _row(
        self, kind: str, cents: int, fee: int, day: date, code: str, reference: str, status: str
    ) -> None:
        self.payout_rows.append(
            {
                "id": 100_000 + len(self.payout_rows),
                "type": kind,
                "amount": cents / 100,
                "currency": "EUR",
                "date": day.isoformat(),
                "fee": fee / 100,
                "status": status,
                "reference": reference,
                "transaction_code": code,
            }
        )

    def code_of(self, client_transaction_id: str) -> str:
        return next(
            c["transaction_code"]
            for c in self.checkouts.values()
            if c["client_transaction_id"] == client_transaction_id
        )

    # --- what the client at the reader does, for tests ---

    def finish(self, client_transaction_id: str, status: str = "successful") -> tuple[str, dict]:
        """The card is tapped (or refused): returns the reader's callback URL and body."""
        checkout = next(
            c
            for c in self.checkouts.values()
            if c["client_transaction_id"] == client_transaction_id
        )
        checkout["status"] = status
        body = {
            "id": str(uuid.uuid4()),
            "event_type": "solo.transaction.updated",
            "payload": {
                "client_transaction_id": client_transaction_id,
                "merchant_code": MERCHANT,
                "status": status,
                "transaction_id": checkout["transaction_id"],
            },
            "timestamp": _now(),
        }
        return checkout["return_url"], body
