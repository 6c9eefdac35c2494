"""The shared Redis client (rate limits, cache), one per event loop. Optional: None when
REDIS_URL is unset, and callers fall back to in-process state."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from app.core.config import get_settings

_clients: dict[asyncio.AbstractEventLoop, Redis] = {}


def get_redis() -> Redis | None:
    url = get_settings().redis.url
    if not url:
        return None
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        client = Redis.from_url(url, decode_responses=True, socket_timeout=2)
        _clients[loop] = client
    return client


def redis_key(*parts: str) -> str:
    return ":".join((get_settings().redis.key_prefix, *parts))


async def close_redis() -> None:
    client = _clients.pop(asyncio.get_running_loop(), None)
    if client is not None:
        await client.aclose()
