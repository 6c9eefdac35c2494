"""Fixed-window counters for rate limits and temporary locks.

Redis when REDIS_URL is set (shared by every API process), memory otherwise (the embedded
default, one process). Losing the store forgets counters; it never blocks a request.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass

from app.core.config import get_settings
from app.core.errors import RateLimited
from app.core.redis import get_redis, redis_key


@dataclass(frozen=True, slots=True)
class Window:
    count: int
    retry_after: int


class _MemoryStore:
    def __init__(self) -> None:
        self._counters: dict[str, tuple[int, float]] = {}
        self._lock = asyncio.Lock()

    async def incr(self, key: str, window_seconds: int) -> Window:
        async with self._lock:
            now = time.monotonic()
            count, ends = self._counters.get(key, (0, now + window_seconds))
            if ends <= now:
                count, ends = 0, now + window_seconds
            count += 1
            self._counters[key] = (count, ends)
            return Window(count, max(1, int(ends - now)))

    async def get(self, key: str) -> Window:
        count, ends = self._counters.get(key, (0, 0.0))
        remaining = ends - time.monotonic()
        return Window(count, max(1, int(remaining))) if remaining > 0 else Window(0, 0)

    async def set(self, key: str, value: int, window_seconds: int) -> None:
        self._counters[key] = (value, time.monotonic() + window_seconds)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._counters.pop(key, None)


_memory = _MemoryStore()


async def incr(key: str, window_seconds: int) -> Window:
    """Count one event in the current window of `key`."""
    redis = get_redis()
    if redis is None:
        return await _memory.incr(key, window_seconds)
    full = redis_key("rl", key)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(full)
        pipe.expire(full, window_seconds, nx=True)
        pipe.ttl(full)
        count, _, ttl = await pipe.execute()
    return Window(int(count), max(1, int(ttl)))


async def peek(key: str) -> Window:
    redis = get_redis()
    if redis is None:
        return await _memory.get(key)
    full = redis_key("rl", key)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.get(full)
        pipe.ttl(full)
        value, ttl = await pipe.execute()
    return Window(int(value or 0), max(0, int(ttl)))


async def mark(key: str, window_seconds: int) -> None:
    """Set a flag that lasts `window_seconds` (a temporary lock)."""
    redis = get_redis()
    if redis is None:
        await _memory.set(key, 1, window_seconds)
        return
    await redis.set(redis_key("rl", key), 1, ex=window_seconds)


async def clear(*keys: str) -> None:
    redis = get_redis()
    if redis is None:
        await _memory.delete(*keys)
        return
    await redis.delete(*(redis_key("rl", key) for key in keys))


async def enforce(key: str, *, limit: int, window_seconds: int) -> None:
    """Count a hit and raise `RateLimited` (429, with Retry-After) past `limit`."""
    window = await incr(key, window_seconds)
    if window.count > limit:
        raise RateLimited(
            "Too many requests. Try again later.",
            headers={"Retry-After": str(window.retry_after)},
            extra={"retry_after": window.retry_after},
        )


def contact_key(contact: str) -> str:
    """How a contact is counted: lower-case, without spaces or separators, hashed (Redis holds
    no e-mail or phone number)."""
    compact = "".join(ch for ch in contact.lower() if ch not in " .-()\t")
    return hashlib.sha256(compact.encode()).hexdigest()[:32]


async def limit_public_flow(
    flow: str, *, address: str, contacts: Iterable[str | None] = ()
) -> None:
    """Count one use of a public flow (`booking`, `waitlist`, `signup`, ... as named in the
    LIMITS_ settings) by this client address and by each contact given; past a limit, raise
    `RateLimited` (429 with Retry-After). Staff at the desk are not to be counted: callers
    skip this for them."""
    per_address, per_contact = get_settings().limits.rates(flow)
    await enforce(
        f"{flow}:ip:{address}", limit=per_address.count, window_seconds=per_address.seconds
    )
    for key in sorted({contact_key(c) for c in contacts if c}):
        await enforce(
            f"{flow}:contact:{key}", limit=per_contact.count, window_seconds=per_contact.seconds
        )
