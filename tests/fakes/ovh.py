"""A fake of OVHcloud's API for SMS: `GET /auth/time`, signed calls (X-Ovh-Application,
-Consumer, -Timestamp, -Signature = "$1$" + sha1 of secret+consumer+method+url+body+time),
`POST /sms/{service}/jobs` with its sending report, outgoing messages by tag, the STOP list."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

APPLICATION_KEY = "fake-ovh-ak"
APPLICATION_SECRET = "fake-ovh-as"
CONSUMER_KEY = "fake-ovh-ck"
SERVICE = "sms-fake11111-1"


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status)


class FakeOvh:
    def __init__(self) -> None:
        base = "/1.0/sms/{service}"
        self.app = Starlette(
            routes=[
                Route("/1.0/auth/time", self._time, methods=["GET"]),
                Route(base + "/jobs", self._jobs, methods=["POST"]),
                Route(base + "/outgoing", self._outgoing, methods=["GET"]),
                Route(base + "/blacklists", self._blacklists, methods=["GET"]),
            ]
        )
        self.reset()

    def reset(self) -> None:
        self.jobs: list[dict[str, Any]] = []
        self.blacklist: list[str] = []
        self.failures = 0
        self._next_id = 26929925

    async def _time(self, request: Request) -> JSONResponse:
        return JSONResponse(int(time.time()))

    async def _signed(self, request: Request) -> JSONResponse | None:
        body = (await request.body()).decode()
        stamp = request.headers.get("x-ovh-timestamp", "")
        raw = "+".join(
            [APPLICATION_SECRET, CONSUMER_KEY, request.method, str(request.url), body, stamp]
        )
        expected = "$1$" + hashlib.sha1(raw.encode()).hexdigest()  # noqa: S324 - OVH's scheme
        if (
            request.headers.get("x-ovh-application") != APPLICATION_KEY
            or request.headers.get("x-ovh-consumer") != CONSUMER_KEY
            or request.headers.get("x-ovh-signature") != expected
        ):
            return _error(403, "Invalid signature")
        if request.path_params.get("service") != SERVICE:
            return _error(404, "This service does not exist")
        return None

    async def _jobs(self, request: Request) -> JSONResponse:
        if (refused := await self._signed(request)) is not None:
            return refused
        if self.failures:
            self.failures -= 1
            return _error(503, "Service temporarily unavailable")
        body = await request.json()
        if not body.get("message"):
            return _error(400, "Invalid parameter message")
        valid = [r for r in body.get("receivers", []) if r.startswith("+33")]
        invalid = [r for r in body.get("receivers", []) if not r.startswith("+33")]
        ids = []
        for receiver in valid:
            self._next_id += 1
            ids.append(self._next_id)
            self.jobs.append(body | {"receiver": receiver, "id": self._next_id})
        return JSONResponse(
            {
                "totalCreditsRemoved": len(valid),
                "invalidReceivers": invalid,
                "ids": ids,
                "validReceivers": valid,
            }
        )

    async def _outgoing(self, request: Request) -> JSONResponse:
        if (refused := await self._signed(request)) is not None:
            return refused
        tag = request.query_params.get("tag")
        return JSONResponse([job["id"] for job in self.jobs if job.get("tag") == tag])

    async def _blacklists(self, request: Request) -> JSONResponse:
        if (refused := await self._signed(request)) is not None:
            return refused
        return JSONResponse(self.blacklist)
