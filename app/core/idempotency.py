"""`Idempotency-Key` for POST requests.

The same key with the same request replays the first answer; the same key with another
request is refused (422 `idempotency_key_reused`); a key whose first request is still running
gets 409 `idempotency_in_progress`. Answers of 5xx are not kept: a retry runs again.

Keys are scoped by the caller: the user of a valid access token (staff or client account),
whatever token she presents (a refreshed token retrying a payment gets the first answer);
anonymous callers share one scope, where the key itself (a random UUID) and the exact body
tell requests apart; an invalid Authorization header has a scope of its own.

The answer is written in the same transaction as the request's effect: the request's
session (`get_session`) is handed over uncommitted, the answer is added to it, and one commit
makes both, before the response is sent. A crash before that commit leaves neither, so the
retry that takes the key over after `STALE_AFTER` runs a request that never happened.

Stored answers are sealed (AES-GCM, `app/core/sealing.py`, bound to the scope and key):
an answer that carries a secret (a gift card code, a booking's manage token, a token pair)
is never readable in the table, and its replay is the full first answer.
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

from app.core import sealing
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.db import HELD_TRANSACTIONS, Base, HeldTransactions, unit_of_work
from app.core.errors import problem_response
from app.core.ids import new_id
from app.core.security import InvalidToken, decode_access_token

logger = logging.getLogger(__name__)

HEADER = b"idempotency-key"
MAX_KEY_LENGTH = 200
# A first request that has not finished after this long is taken to have died.
STALE_AFTER = timedelta(minutes=2)
_REPLAYED_HEADERS = {"content-type", "location"}
_SEALED_FOR = "idempotent-answers"
BODY = "http.response.body"


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


def caller_scope(authorization: bytes | None) -> str:
    """Whose key this is: the user behind a valid access token, or anonymous."""
    if authorization is None:
        return _sha256(b"")
    scheme, _, token = authorization.decode("latin-1").partition(" ")
    if scheme.lower() == "bearer":
        try:
            claims = decode_access_token(token.strip())
        except InvalidToken:
            pass
        else:
            return _sha256(b"user", claims.user_id.bytes)
    return _sha256(b"header", authorization)


def _bound(scope: str, key: str) -> bytes:
    return f"{scope}:{key}".encode()


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


def _answer(scope: str, key: str, status: int, headers: dict[str, str], body: bytes) -> Any:
    return (
        update(IdempotencyKey)
        .where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
        .values(
            locked_at=None,
            response_status=status,
            response_headers=headers,
            response_body=sealing.seal(_SEALED_FOR, body, bound_to=_bound(scope, key)),
        )
    )


async def _forget(scope: str, key: str) -> None:
    async with unit_of_work() as session:
        await session.execute(
            delete(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
        )


async def _store(
    held: HeldTransactions, scope: str, key: str, status: int, headers: dict[str, str], body: bytes
) -> None:
    """Keep the answer: in the request's own transaction when it had one, committed with its
    effect; otherwise on its own."""
    if not held.sessions:
        async with unit_of_work() as session:
            await session.execute(_answer(scope, key, status, headers, body))
        return
    await held.sessions[0].execute(_answer(scope, key, status, headers, body))
    for session in held.sessions:
        await session.commit()
        await session.close()
    held.sessions.clear()


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
        caller = caller_scope(headers.get(b"authorization"))
        request_hash = _sha256(scope["path"].encode(), scope.get("query_string", b""), body)
        existing = await _claim(caller, key, request_hash)
        if existing is not None:
            await _answer_existing(existing, caller, request_hash, send)
            return

        held = HeldTransactions()
        scope[HELD_TRANSACTIONS] = held
        response: list[Message] = []

        async def replay_body() -> Message:
            nonlocal body
            chunk, body = body, b""
            return {"type": "http.request", "body": chunk, "more_body": False}

        async def capture(message: Message) -> None:
            response.append(message)  # sent once the answer is committed

        try:
            await self.app(scope, replay_body, capture)
        except BaseException:
            await held.discard()
            await _forget(caller, key)
            raise
        await self._keep_and_send(held, caller, key, response, send)

    async def _keep_and_send(
        self, held: HeldTransactions, caller: str, key: str, response: list[Message], send: Send
    ) -> None:
        start = next((m for m in response if m["type"] == "http.response.start"), None)
        if start is None or start["status"] >= 500:
            await held.discard()
            await _forget(caller, key)
        else:
            status = start["status"]
            kept_headers = {
                k.decode("latin-1"): v.decode("latin-1")
                for k, v in start.get("headers", ())
                if k.decode("latin-1").lower() in _REPLAYED_HEADERS
            }
            body = b"".join(m.get("body", b"") for m in response if m["type"] == BODY)
            try:
                await _store(held, caller, key, status, kept_headers, body)
            except Exception:
                logger.exception("the answer and its effect could not be committed")
                await held.discard()
                await _forget(caller, key)
                await _send_problem(
                    send, 500, "internal_error", "Internal error", "Nothing was changed: retry."
                )
                return
        for message in response:
            await send(message)


async def _read_body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        parts.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(parts)


async def _answer_existing(
    existing: IdempotencyKey, scope: str, request_hash: str, send: Send
) -> None:
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
    try:
        body = sealing.unseal(
            _SEALED_FOR, existing.response_body or "", bound_to=_bound(scope, existing.key)
        )
    except sealing.SealBroken:  # sealed under a SECURITY_SECRET_KEY since rotated
        await _send_problem(
            send,
            409,
            "idempotency_answer_unreadable",
            "The first answer to this key can no longer be read",
            "The first request did run: check its result before sending a new key.",
        )
        return
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
