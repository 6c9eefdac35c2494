"""Celery tasks and their beat entries, declared by each domain in its own `tasks.py`.

A domain decorates the coroutine a task runs (`@jobs.task("bookings.expire_holds")`) and
lists its beat entries next to it in a module-level `BEAT`
(`BEAT = [jobs.beat("expire-holds", expire_holds, every=60.0)]`). The worker discovers both
by walking the application (`app.registry`), registers each task under its name and builds
the beat schedule from every `BEAT`; `make run` runs the frequent entries of that same
schedule in-process. Nothing here imports Celery's app: core stays free of the entry points.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, TypeVar

from celery.schedules import crontab

Job = Callable[[], Coroutine[Any, Any, Any]]
J = TypeVar("J", bound=Job)
Schedule = float | crontab


@dataclass(frozen=True)
class Task:
    name: str
    run: Job
    doc: str


@dataclass(frozen=True)
class Beat:
    """One entry of the beat schedule: its key (Celery's, kept stable because beat's state
    file remembers the last run by it), the task it sends and when."""

    key: str
    task: str
    schedule: Schedule


_tasks: dict[str, Task] = {}
_by_function: dict[Job, str] = {}


def task(name: str) -> Callable[[J], J]:
    """Declare the decorated coroutine as the Celery task `name` ("<domain>.<verb>")."""

    def register(run: J) -> J:
        known = _tasks.get(name)
        if known is not None and known.run is not run:
            raise ValueError(f"task {name!r} is declared twice")
        _tasks[name] = Task(name, run, (run.__doc__ or "").strip())
        _by_function[run] = name
        return run

    return register


def beat(key: str, run: Job, *, every: float | None = None, cron: crontab | None = None) -> Beat:
    """A beat entry sending the task declared on `run`, `every` seconds or on `cron`."""
    name = _by_function.get(run)
    if name is None:
        raise ValueError(f"beat entry {key!r}: {run!r} is not declared with @jobs.task")
    if (every is None) == (cron is None):
        raise ValueError(f"beat entry {key!r}: give `every` or `cron`")
    return Beat(key, name, every if every is not None else cron)  # type: ignore[arg-type]


def tasks() -> list[Task]:
    """Every declared task, by name."""
    return [_tasks[name] for name in sorted(_tasks)]


def schedule(modules: Iterable[ModuleType]) -> dict[str, Beat]:
    """The beat schedule: every `BEAT` entry of `modules`, by key; a key used twice or an
    entry naming no declared task is refused."""
    entries: dict[str, Beat] = {}
    for module in modules:
        for entry in getattr(module, "BEAT", ()):
            if entry.key in entries:
                raise ValueError(f"beat entry {entry.key!r} is declared twice")
            if entry.task not in _tasks:
                raise ValueError(f"beat entry {entry.key!r} names no task {entry.task!r}")
            entries[entry.key] = entry
    return entries


Purge = Callable[[], Coroutine[Any, Any, int]]
_purges: dict[str, Purge] = {}


def purges(key: str) -> Callable[[Purge], Purge]:
    """Add the decorated coroutine (deletes what expired, returns how many rows) to the hourly
    `core.purge_expired` task, its count reported under `key`."""

    def register(purge: Purge) -> Purge:
        _purges[key] = purge
        return purge

    return register


async def purge_all() -> dict[str, int]:
    return {key: await purge() for key, purge in sorted(_purges.items())}
