"""`Idempotency-Key` for POST requests.

The same key with the same request replays the first answer; the same key with another
request is refused (422 `idempotency_key_reused`); a key whose first request is still running
gets 409 `idempotency_in_progress`. Keys are scoped by caller (their Authorization header), so
two callers can never see each other's answers. Answers of 5xx are not kept: a retry runs again.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import String, UniqueConstraint, delete, select, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.orm import Mapped, mapped_column
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.db import Base, unit_of_work
from app.core.errors import problem_response
from app.core.ids import new_id

logger = logging.getLogger(__name__)

HEADER = b"idempotency-key"
MAX_KEY_LENGTH = 200
# A first request that has not finished after this long is taken to have died.
STALE_AFTER = timedelta(minutes=2)
_REPLAYED_HEADERS = {"content-type", "location"}


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    scope: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    request_hash: Mapped[str] = mapped_column(String(64))
    locked_at: Mapped[datetime | None]
    response_status: Mapped[int | None]
    response_headers: Mapped[dict[str, str] | None] = mapped_column(JSONB)
    response_body: Mapped[str | None]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)

    __table_args__ = (UniqueConstraint("scope", "key"),)


def _sha256(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


async def _claim(scope: str, key: str, request_hash: str) -> IdempotencyKey | None:
    """Insert the key as in progress; return the existing row if another request has it."""
    now = utcnow()
    ttl = timedelta(hours=get_settings().security.idempotency_ttl_hours)
    async with unit_of_work() as session:
        existing = None
        # Twice at most: the row that made the insert conflict may be purged before we read it.
        for _ in range(2):
            inserted = await session.scalar(
                insert(IdempotencyKey)
                .values(
                    id=new_id(),
                    scope=scope,
                    key=key,
                    request_hash=request_hash,
                    locked_at=now,
                    created_at=now,
                    expires_at=now + ttl,
                )
                .on_conflict_do_nothing(index_elements=["scope", "key"])
                .returning(IdempotencyKey.id)
            )
            if inserted is not None:
                return None
            existing = await session.scalar(
                select(IdempotencyKey)
                .where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
                .with_for_update()
            )
            if existing is not None:
                break
        if existing is None:
            raise RuntimeError("idempotency key vanished twice while being claimed")
        if existing.expires_at <= now:
            existing.request_hash, existing.locked_at = request_hash, now
            existing.response_status = existing.response_body = existing.response_headers = None
            existing.created_at, existing.expires_at = now, now + ttl
            return None
        stale = existing.locked_at is not None and existing.locked_at < now - STALE_AFTER
        if stale and existing.request_hash == request_hash:
            existing.locked_at = now
            return None
        return existing


async def _store(scope: str, key: str, status: int, headers: dict[str, str], body: bytes) -> None:
    async with unit_of_work() as session:
        if status >= 500:
            await session.execute(
                delete(IdempotencyKey).where(
                    IdempotencyKey.scope == scope, IdempotencyKey.key == key
                )
            )
            return
        await session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
            .values(
                locked_at=None,
                response_status=status,
                response_headers=headers,
                response_body=body.decode("utf-8", errors="replace"),
            )
        )


async def _send_problem(send: Send, status: int, code: str, title: str, detail: str) -> None:
    response = problem_response(status=status, code=code, title=title, detail=detail)
    await send({"type": "http.response.start", "status": status, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", ())) if scope["type"] == "http" else {}
        raw_key = headers.get(HEADER)
        if scope["type"] != "http" or scope["method"] != "POST" or raw_key is None:
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1").strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            await _send_problem(
                send,
                400,
                "invalid_idempotency_key",
                "The Idempotency-Key header is not valid",
                f"Send a unique value of 1 to {MAX_KEY_LENGTH} characters, such as a UUID.",
            )
            return

        body = await _read_body(receive)
        caller = _sha256(headers.get(b"authorization", b""))
        request_hash = _sha256(scope["path"].encode(), scope.get("query_string", b""), body)
        existing = await _claim(caller, key, request_hash)
        if existing is not None:
            await _answer_existing(existing, request_hash, send)
            return

        status, kept_headers, chunks = 500, {}, []

        async def replay_body() -> Message:
            nonlocal body
            chunk, body = body, b""
            return {"type": "http.request", "body": chunk, "more_body": False}

        async def capture(message: Message) -> None:
            nonlocal status, kept_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                kept_headers = {
                    k.decode("latin-1"): v.decode("latin-1")
                    for k, v in message.get("headers", ())
                    if k.decode("latin-1").lower() in _REPLAYED_HEADERS
                }
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_body, capture)
        finally:
            await _store(caller, key, status, kept_headers, b"".join(chunks))


async def _read_body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        parts.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(parts)


async def _answer_existing(existing: IdempotencyKey, request_hash: str, send: Send) -> None:
    if existing.request_hash != request_hash:
        await _send_problem(
            send,
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was used for another request",
            "Use a new key for a new request; reuse a key only to retry the same request.",
        )
        return
    if existing.response_status is None:
        await _send_problem(
            send,
            409,
            "idempotency_in_progress",
            "The first request with this key is still running",
            "Retry in a moment to get its answer.",
        )
        return
    body = (existing.response_body or "").encode()
    headers: list[tuple[bytes, bytes]] = [
        (k.encode("latin-1"), v.encode("latin-1"))
        for k, v in (existing.response_headers or {}).items()
    ]
    headers += [(b"content-length", str(len(body)).encode()), (b"idempotent-replayed", b"true")]
    await send(
        {"type": "http.response.start", "status": existing.response_status, "headers": headers}
    )
    await send({"type": "http.response.body", "body": body})


def describe() -> dict[str, Any]:
    """OpenAPI parameter documenting the header on routes that honour it."""
    return {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
        "description": "Retry safely: the same key and body replay the first answer.",
    }


async def purge_expired() -> int:
    """Delete answers past their time to live; returns how many."""
    async with unit_of_work() as session:
        result = await session.execute(
            delete(IdempotencyKey).where(IdempotencyKey.expires_at <= utcnow())
        )
    return int(getattr(result, "rowcount", 0) or 0)
