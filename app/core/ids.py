"""Identifiers: UUIDv7, which sort by creation time and keep B-tree indexes compact."""

from __future__ import annotations

import uuid

import uuid_utils


def new_id() -> uuid.UUID:
    return uuid.UUID(bytes=uuid_utils.uuid7().bytes)
