"""A cache that is never staler than the last commit (docs/performance.md, "Slot cache").

What it keeps is keyed by *cache versions*: rows of `cache_versions` that triggers bump in the
transaction of every change to the tables they watch (migration 0039). A version comes from a
sequence, so a number a rolled-back transaction used never comes back, and each row carries a
token made with the database, so a store shared by several databases (tests, a re-created
database behind one Redis) never confuses their numbers.

The configuration's number is bumped at once by every statement that changes it; the busy
time's at commit, once per transaction. A reader reads the versions in the same statement as
the rows it caches (one snapshot), and only a transaction that has written nothing may read or
fill the store: until it commits, its busy number is the committed one, and its own
uncommitted rows must never be kept under it (`Versions.clean`).

The store is Redis when `REDIS_URL` is set (every API process shares it), process memory
otherwise; `CACHE_BACKEND` forces one or turns the cache off.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from fastapi import Request, Response
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import BigInteger, String, Text, case, func, literal, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import Select

from app.core.config import get_settings
from app.core.db import Base
from app.core.redis import redis_key

log = logging.getLogger(__name__)

SCHEDULE_CONFIG = "schedule_config"
SCHEDULE_BUSY = "schedule_busy"


class CacheVersion(Base):
    """One named version, bumped (from `cache_version_seq`) at the commit of every transaction
    that changed a table it watches (migration 0039)."""

    __tablename__ = "cache_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(
        BigInteger, server_default=text("nextval('cache_version_seq')")
    )
    token: Mapped[UUID] = mapped_column(server_default=text("gen_random_uuid()"))
    bumped_by: Mapped[str | None] = mapped_column(Text)


def versions_statement() -> Select[str, UUID | None, int, int]:
    """The versions as rows shaped like the slot engine's busy rows (kind, holder id, start,
    end), so that they travel in the same query: kind `version:<name>`, the token, the
    number, and 1 when this transaction has written something (then nothing may be cached)."""
    return select(
        func.concat("version:", CacheVersion.name).label("kind"),
        CacheVersion.token.label("holder_id"),
        CacheVersion.version.label("start"),
        case((func.pg_current_xact_id_if_assigned().is_(None), literal(0, BigInteger)), else_=1)
        .cast(BigInteger)
        .label("end"),
    )


@dataclass(frozen=True, slots=True)
class Versions:
    token: str
    numbers: dict[str, int]
    clean: bool

    def key(self, *names: str) -> str:
        return ".".join([self.token, *(str(self.numbers.get(n, 0)) for n in names)])

    @classmethod
    def from_rows(cls, rows: list[tuple[str, UUID | None, int, int]]) -> Versions:
        numbers: dict[str, int] = {}
        token = ""
        clean = True
        for kind, holder, start, end in rows:
            name = kind.removeprefix("version:")
            numbers[name] = int(start)
            if name == SCHEDULE_CONFIG:
                token = str(holder)
            clean = clean and not end
        return cls(token=token, numbers=numbers, clean=clean and bool(token))


async def read_versions(session: AsyncSession) -> Versions:
    rows = await session.execute(versions_statement())
    return Versions.from_rows([(kind, holder, start, end) for kind, holder, start, end in rows])


class Store(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl: int) -> None: ...


class MemoryStore:
    """This process's entries, least recently used dropped past `max_entries`."""

    def __init__(self, max_entries: int = 4096) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()

    async def get(self, key: str) -> bytes | None:
        found = self._entries.get(key)
        if found is None:
            return None
        if found[0] < time.monotonic():
            self._entries.pop(key, None)
            return None
        self._entries.move_to_end(key)
        return found[1]

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        self._entries[key] = (time.monotonic() + ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


class RedisStore:
    """Shared by every API process. A Redis that fails is a miss, never an error."""

    def __init__(self, client: Redis) -> None:
        self.client = client

    async def get(self, key: str) -> bytes | None:
        try:
            found = await self.client.get(redis_key("cache", key))
        except (RedisError, OSError) as exc:
            log.warning("cache read failed: %s", exc)
            return None
        return found if isinstance(found, bytes) else None

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        try:
            await self.client.set(redis_key("cache", key), value, ex=ttl)
        except (RedisError, OSError) as exc:
            log.warning("cache write failed: %s", exc)


memory_store = MemoryStore()
_redis_clients: dict[tuple[asyncio.AbstractEventLoop, str], Redis] = {}


def get_store() -> Store | None:
    """The store for this process, or None when the cache is off."""
    settings = get_settings()
    backend = settings.cache.backend
    if backend == "off":
        return None
    url = settings.redis.url
    if backend == "memory" or (backend == "auto" and not url):
        return memory_store
    if not url:
        return memory_store
    loop = asyncio.get_running_loop()
    client = _redis_clients.get((loop, url))
    if client is None:
        # Bytes in and out (the shared client decodes to str).
        client = Redis.from_url(url, decode_responses=False, socket_timeout=2)
        _redis_clients[(loop, url)] = client
    return RedisStore(client)


async def close_stores() -> None:
    loop = asyncio.get_running_loop()
    for key in [k for k in _redis_clients if k[0] is loop]:
        await _redis_clients.pop(key).aclose()


def ttl() -> int:
    return get_settings().cache.ttl_seconds


# Public reads: a serialised body per route and query, with a strong ETag.


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _matches(request: Request, etag: str) -> bool:
    sent = request.headers.get("if-none-match")
    if not sent:
        return False
    return sent.strip() == "*" or etag in [part.strip() for part in sent.split(",")]


async def public_body(
    request: Request,
    session: AsyncSession,
    build: Callable[[], Awaitable[bytes]],
    *,
    names: tuple[str, ...] = (SCHEDULE_CONFIG,),
) -> Response:
    """The route's JSON body from the cache (built by `build` on a miss, under the versions
    read first: a body built from later rows is only fresher), with a strong `ETag` and
    `Cache-Control`; `304 Not Modified` when the client already holds it."""
    store = get_store()
    versions = await read_versions(session) if store is not None else None
    body: bytes | None = None
    key = ""
    if store is not None and versions is not None and versions.clean:
        key = "public:" + versions.key(*names) + ":" + request.url.path + "?" + request.url.query
        body = await store.get(key)
    if body is None:
        body = await build()
        if store is not None and key:
            await store.set(key, body, ttl())
    etag = etag_of(body)
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={get_settings().cache.public_max_age}, must-revalidate",
        "Vary": "Authorization",
    }
    if _matches(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(content=body, media_type="application/json", headers=headers)


async def public_read(
    request: Request,
    session: AsyncSession,
    build: Callable[[], Awaitable[bytes]],
    *,
    public: bool = True,
) -> Response:
    """`public_body` for the public's view of a route; staff's view (other fields, inactive
    rows) is built every time and not marked cacheable."""
    if public:
        return await public_body(request, session, build)
    return Response(
        content=await build(), media_type="application/json", headers={"Cache-Control": "private"}
    )
