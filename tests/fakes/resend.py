"""A fake of Resend's e-mail API (`POST /emails` with its Idempotency-Key, its error bodies)
and of the Svix-signed webhooks Resend sends back."""

from __future__ import annotations

import base64
import json
import secrets
import time
import uuid
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.integrations.resend_email.webhooks import svix_signature

API_KEY = "re_fake_key"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"resend-fake-signing-secret-32by").decode()


class FakeResend:
    def __init__(self) -> None:
        self.app = Starlette(routes=[Route("/emails", self._send, methods=["POST"])])
        self.reset()

    def reset(self) -> None:
        self.sent: list[dict[str, Any]] = []  # what actually went out
        self.requests: list[tuple[dict[str, Any], str | None]] = []
        self._by_key: dict[str, dict[str, str]] = {}
        self.failures = 0  # the next N requests answer 500
        self.status_on_failure = 500

    async def _send(self, request: Request) -> JSONResponse:
        if request.headers.get("authorization") != f"Bearer {API_KEY}":
            return JSONResponse(
                {"statusCode": 401, "name": "validation_error", "message": "API key is invalid"},
                status_code=401,
            )
        body = await request.json()
        key = request.headers.get("idempotency-key")
        self.requests.append((body, key))
        if self.failures:
            self.failures -= 1
            return JSONResponse(
                {
                    "statusCode": self.status_on_failure,
                    "name": "internal_server_error",
                    "message": "An unexpected error occurred.",
                },
                status_code=self.status_on_failure,
            )
        if key and key in self._by_key:
            return JSONResponse(self._by_key[key])  # same key: the same answer, no new e-mail
        for field in ("from", "to", "subject"):
            if not body.get(field):
                return JSONResponse(
                    {
                        "statusCode": 422,
                        "name": "missing_required_field",
                        "message": f"Missing `{field}` field.",
                    },
                    status_code=422,
                )
        answer = {"id": str(uuid.uuid4())}
        self.sent.append(body | {"id": answer["id"]})
        if key:
            self._by_key[key] = answer
        return JSONResponse(answer)

    @staticmethod
    def event(kind: str, email_id: str, to: str, **data: Any) -> dict[str, Any]:
        return {
            "type": kind,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "data": {
                "email_id": email_id,
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                "from": "Sérénaia Beauté <bonjour@serenaia.example>",
                "to": [to],
                "subject": "Votre rendez-vous",
            }
            | data,
        }

    @staticmethod
    def signed(
        event: dict[str, Any], *, at: int, secret: str = WEBHOOK_SECRET
    ) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(event).encode()
        msg_id = f"msg_{secrets.token_hex(12)}"
        return body, {
            "svix-id": msg_id,
            "svix-timestamp": str(at),
            "svix-signature": svix_signature(secret, msg_id=msg_id, timestamp=at, body=body),
            "content-type": "application/json",
        }
