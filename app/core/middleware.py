"""Pure ASGI middleware: the client's address behind trusted proxies, request IDs with an
access log, and security headers."""

from __future__ import annotations

import ipaddress
import logging
import re
import time
import uuid
from functools import lru_cache

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config import get_settings
from app.core.logging import request_id_var

access_log = logging.getLogger("app.access")

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
_DOCS_PATHS = ("/docs", "/redoc", "/openapi.json")


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=4)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def forwarded_client(peer: str, forwarded_for: str, trusted: tuple[str, ...]) -> str:
    """The client's address: the TCP peer, unless the peer is a trusted proxy; then the
    X-Forwarded-For chain is read from the right (each proxy appends the address it saw) up
    to the first hop that is not itself a trusted proxy. Entries left of it were written by
    the client and are never believed."""
    networks = _networks(trusted)
    if not _is_trusted(peer, networks):
        return peer
    client = peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # garbage: the hop that wrote it is the last address we can vouch for
        client = hop
        if not _is_trusted(hop, networks):
            break
    return client


class ProxyHeadersMiddleware:
    """Sets the request's client address (rate limits, audit log) and scheme from
    X-Forwarded-For / X-Forwarded-Proto, only when the peer is in APP_TRUSTED_PROXIES."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer = scope.get("client") if scope["type"] in ("http", "websocket") else None
        trusted = tuple(get_settings().app.trusted_proxies)
        if peer and _is_trusted(peer[0], _networks(trusted)):
            headers = dict(scope["headers"])
            forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1")
            if forwarded:
                scope = dict(scope, client=(forwarded_client(peer[0], forwarded, trusted), 0))
            proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1")
            proto = proto.rsplit(",", 1)[-1].strip().lower()
            if scope["type"] == "http" and proto in ("http", "https"):
                scope = dict(scope, scheme=proto)
        await self.app(scope, receive, send)


class RequestIdMiddleware:
    """Takes X-Request-ID from the caller (if sane) or makes one, echoes it, logs the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            request_id_var.reset(token)


class SecurityHeadersMiddleware:
    """Headers every API response carries. The docs pages load Swagger UI, so they get a
    looser content policy than the JSON API."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_docs = scope["path"].startswith(_DOCS_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                if not is_docs:
                    headers.setdefault(
                        "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"
                    )
                if self.hsts:
                    headers.setdefault(
                        "Strict-Transport-Security", "max-age=63072000; includeSubDomains"
                    )
            await send(message)

        await self.app(scope, receive, send_with_headers)
