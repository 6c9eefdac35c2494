"""Secrets kept unreadable at rest: AES-GCM under a key derived from SECURITY_SECRET_KEY, one
key per purpose, so a value sealed for one use cannot be opened as another. `bound_to` (a row
id, say) goes into the authentication tag: a sealed value copied onto another row fails to
open.

Used for gift card codes, the full text of messages (only the delivery worker opens it), the
secrets an outbox event carries, and the answers the idempotency store replays.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.core.config import get_settings

_NONCE = 12


class SealBroken(ValueError):
    """The value was sealed under another key (SECURITY_SECRET_KEY changed) or altered."""


def _key(purpose: str) -> bytes:
    return hashlib.sha256(f"{purpose}:".encode() + get_settings().secret_key.encode()).digest()


def seal(purpose: str, plain: bytes | str, *, bound_to: bytes = b"") -> str:
    """Encrypt `plain`; returns printable text (base64 of nonce and ciphertext)."""
    data = plain.encode() if isinstance(plain, str) else plain
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(_key(purpose)).encrypt(nonce, data, bound_to)
    return base64.b64encode(nonce + sealed).decode()


def unseal(purpose: str, sealed: str, *, bound_to: bytes = b"") -> bytes:
    raw = base64.b64decode(sealed)
    try:
        return AESGCM(_key(purpose)).decrypt(raw[:_NONCE], raw[_NONCE:], bound_to)
    except InvalidTag as exc:
        raise SealBroken(purpose) from exc


def seal_json(purpose: str, value: Any, *, bound_to: bytes = b"") -> str:
    return seal(purpose, json.dumps(value, separators=(",", ":")), bound_to=bound_to)


def unseal_json(purpose: str, sealed: str, *, bound_to: bytes = b"") -> Any:
    return json.loads(unseal(purpose, sealed, bound_to=bound_to))
