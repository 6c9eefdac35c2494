"""Password hashing (argon2 through pwdlib), access tokens (PyJWT) and opaque secrets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from uuid import UUID

import jwt
from anyio import to_thread
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.core.clock import utcnow
from app.core.config import get_settings

JWT_ALGORITHM = "HS256"
ACCESS_TOKEN_TYPE = "access"  # noqa: S105 - a token kind, not a secret


@lru_cache(maxsize=1)
def _password_hash() -> PasswordHash:
    settings = get_settings().security
    return PasswordHash(
        (
            Argon2Hasher(
                time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_cost
            ),
        )
    )


async def hash_password(password: str) -> str:
    """Hash off the event loop: argon2 takes ~100 ms of CPU by design."""
    return await to_thread.run_sync(_password_hash().hash, password)


async def verify_password(password: str, password_hash: str) -> tuple[bool, str | None]:
    """Check a password; the second value is a new hash when the stored one is outdated."""
    return await to_thread.run_sync(_password_hash().verify_and_update, password, password_hash)


# A real hash of a random password, verified when the account does not exist so that a
# failed login costs the same time either way.
@lru_cache(maxsize=1)
def dummy_password_hash() -> str:
    return _password_hash().hash(secrets.token_urlsafe(16))


def new_token() -> str:
    """An opaque, URL-safe secret (refresh tokens, reset tokens)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What we store of an opaque token: its SHA-256, so a database leak reveals no token."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: UUID
    kind: str
    role: str | None
    expires_at: datetime
    issued_at: datetime | None = None


def create_access_token(*, user_id: UUID, kind: str, role: str | None) -> tuple[str, int]:
    """A short-lived signed JWT; returns the token and its lifetime in seconds."""
    minutes = get_settings().security.access_token_minutes
    now = utcnow()
    claims = {
        "sub": str(user_id),
        "kind": kind,
        "role": role,
        "typ": ACCESS_TOKEN_TYPE,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=minutes)).timestamp()),
        "jti": secrets.token_hex(8),
    }
    token = jwt.encode(claims, get_settings().secret_key, algorithm=JWT_ALGORITHM)
    return token, minutes * 60


class InvalidToken(Exception):
    pass


class ExpiredToken(InvalidToken):
    """A genuine token of ours whose time is over: the caller should refresh it."""


def decode_access_token(token: str) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            get_settings().secret_key,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["exp", "sub", "typ"], "verify_exp": False, "verify_iat": False},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    # Expiry is checked against our clock, so frozen-time tests exercise it too.
    if claims.get("typ") != ACCESS_TOKEN_TYPE:
        raise InvalidToken("not an access token")
    if claims["exp"] <= utcnow().timestamp():
        raise ExpiredToken("expired")
    try:
        user_id = UUID(claims["sub"])
    except ValueError as exc:
        raise InvalidToken("bad subject") from exc
    return AccessClaims(
        user_id=user_id,
        kind=str(claims.get("kind")),
        role=claims.get("role"),
        expires_at=datetime.fromtimestamp(claims["exp"], tz=utcnow().tzinfo),
        issued_at=datetime.fromtimestamp(claims["iat"], tz=utcnow().tzinfo)
        if isinstance(claims.get("iat"), int)
        else None,
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_payload(purpose: str, payload: dict[str, Any], *, expires_at: datetime) -> str:
    """A compact signed token for links (manage a booking, unsubscribe, calendar feeds).

    The purpose is part of the MAC, so a token made for one use is refused for another.
    """
    body = dict(payload, exp=int(expires_at.timestamp()))
    data = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(get_settings().secret_key.encode(), f"{purpose}.{data}".encode(), "sha256")
    return f"{data}.{_b64(mac.digest())}"


def verify_payload(purpose: str, token: str) -> dict[str, Any]:
    """Return the payload of a token made by `sign_payload`, or raise InvalidToken."""
    data, _, signature = token.partition(".")
    expected = hmac.new(get_settings().secret_key.encode(), f"{purpose}.{data}".encode(), "sha256")
    try:
        valid = hmac.compare_digest(_unb64(signature), expected.digest())
        body: dict[str, Any] = json.loads(_unb64(data)) if valid else {}
    except ValueError as exc:
        raise InvalidToken("malformed token") from exc
    if not valid:
        raise InvalidToken("bad signature")
    if int(body.get("exp", 0)) <= utcnow().timestamp():
        raise InvalidToken("expired")
    return body
