"""The Celery application. Its tasks and beat schedule are not listed here: each domain
declares them in its `tasks.py` (`app/core/jobs.py`), found by walking the application.

With REDIS_URL set, tasks go through Redis to `make worker`; without it they run eagerly in
the calling process (the embedded default), so nothing needs a broker on a laptop.
"""

from __future__ import annotations

from typing import Any

from celery import Celery

from app import registry
from app.core import async_bridge, jobs
from app.core.config import get_settings


def create_celery(schedule: dict[str, jobs.Beat]) -> Celery:
    settings = get_settings()
    broker = settings.redis.url
    celery = Celery("salon", broker=broker or "memory://", backend=None)
    celery.conf.update(
        task_always_eager=broker is None,
        task_eager_propagates=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        timezone=settings.salon.timezone,
        enable_utc=True,
        broker_connection_retry_on_startup=True,
        beat_schedule={
            key: {"task": entry.task, "schedule": entry.schedule} for key, entry in schedule.items()
        },
    )
    for declared in jobs.tasks():
        _register(celery, declared)
    return celery


def _register(celery: Celery, declared: jobs.Task) -> None:
    """A sync shell running the declared coroutine on the process's one event loop."""

    def run() -> Any:
        return async_bridge.run(declared.run())

    run.__name__ = run.__qualname__ = declared.name.replace(".", "_")
    run.__doc__ = declared.doc
    celery.task(name=declared.name)(run)


registry.load_all()
beat_schedule = jobs.schedule(registry.task_modules())
celery_app = create_celery(beat_schedule)
