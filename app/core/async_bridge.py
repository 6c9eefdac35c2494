"""Run coroutines from synchronous code (Celery tasks, the CLI) on one long-lived event loop
per process, in its own thread.

A pooled async engine belongs to the loop that opened its connections: `asyncio.run` per task
would fail with "Future attached to a different loop". The dedicated thread also lets an eager
task run while the API's own loop is busy awaiting it.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_owner_pid: int | None = None


def _worker_loop() -> asyncio.AbstractEventLoop:
    global _loop, _owner_pid
    with _lock:
        # A forked child (Celery prefork) must not reuse its parent's loop thread.
        if _loop is None or _owner_pid != os.getpid():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="async-bridge", daemon=True).start()
            _loop, _owner_pid = loop, os.getpid()
        return _loop


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` to completion on the process's worker loop and return its result."""
    return asyncio.run_coroutine_threadsafe(coroutine, _worker_loop()).result()
