"""What is signed, and how. A record's signature is HMAC-SHA256, under the key its `key_id`
names, over the canonical serialisation of its stored columns, previous signature included:

    {"chain", "sequence", "kind", "register_id", "recorded_at", "schema_version", "key_id",
     "payload", "previous_signature"}

as JSON with sorted keys, no spaces, UTF-8, `recorded_at` in UTC ISO 8601 with microseconds.
Each schema version keeps its serialisation here forever, so a later migration cannot make
old signatures unverifiable. The keys come from settings (JOURNAL_SIGNING_KEYS), never from
the database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from app.core.config import get_settings

SCHEMA_VERSION = 1
GENESIS = ""  # the previous signature of a chain's first record


class UnknownKey(KeyError):
    """A record names a key id the settings no longer list."""


def _canonical_v1(fields: Mapping[str, Any]) -> bytes:
    recorded_at: datetime = fields["recorded_at"]
    register_id = fields["register_id"]
    body = {
        "chain": fields["chain"],
        "sequence": fields["sequence"],
        "kind": fields["kind"],
        "register_id": None if register_id is None else str(register_id),
        "recorded_at": recorded_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "schema_version": 1,
        "key_id": fields["key_id"],
        "payload": fields["payload"],
        "previous_signature": fields["previous_signature"],
    }
    return dumps(body)


CANONICAL: dict[int, Callable[[Mapping[str, Any]], bytes]] = {1: _canonical_v1}


def dumps(value: Any) -> bytes:
    """The one JSON serialisation the journal signs."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def current_key_id() -> str:
    return get_settings().journal_keys[0]


def all_keys() -> dict[str, bytes]:
    return get_settings().journal_keys[1]


def mac(key_id: str, data: bytes, keys: Mapping[str, bytes] | None = None) -> str:
    keys = all_keys() if keys is None else keys
    if key_id not in keys:
        raise UnknownKey(key_id)
    return hmac.new(keys[key_id], data, hashlib.sha256).hexdigest()


class UnknownSchema(ValueError):
    pass


def record_signature(fields: Mapping[str, Any], keys: Mapping[str, bytes] | None = None) -> str:
    """The signature a record with these stored values must carry."""
    version = fields["schema_version"]
    if version not in CANONICAL:
        raise UnknownSchema(f"unknown journal schema version {version}")
    return mac(fields["key_id"], CANONICAL[version](fields), keys)


def head_signature(
    key_id: str, chain: str, sequence: int, signature: str, keys: Mapping[str, bytes] | None = None
) -> str:
    body = dumps({"head": chain, "sequence": sequence, "signature": signature})
    return mac(key_id, body, keys)


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
