"""Imports every module that registers something at import time: ORM models (for Alembic and
the mappers), outbox topics and handlers (`app/core/outbox.py`), Celery tasks and beat entries
(`app/core/jobs.py`, declared in each `tasks.py`), and the HTTP routers of each `router.py`.
Found by walking the `app` package, so a new domain or module needs no line here.

Every entry point calls `load_all()` before it touches the database: the API (`main.py`), the
worker, Alembic's `env.py` and the CLI. A model's foreign key to a table whose model was never
imported fails with `NoReferencedTableError`."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import ModuleType

from fastapi import APIRouter

import app

# Entry points and composition roots: they import the registry, not the other way round.
ENTRY_POINTS = frozenset({"app.main", "app.cli", "app.worker", "app.devserver", "app.seed"})


def modules() -> list[str]:
    """Every module of the application but its entry points, in a stable order."""
    found = pkgutil.walk_packages(app.__path__, prefix="app.")
    return sorted(m.name for m in found if m.name not in ENTRY_POINTS)


def task_modules() -> list[ModuleType]:
    """Every domain's `tasks.py` (and core's): where Celery tasks and beat entries are
    declared (`app/core/jobs.py`)."""
    return [importlib.import_module(m) for m in modules() if m.endswith(".tasks")]


def routers() -> list[APIRouter]:
    """Every domain's HTTP routers: each `APIRouter` a `router.py` defines, in the order of
    the modules, then of their definition."""
    found: list[APIRouter] = []
    for name in modules():
        if name.endswith(".router"):
            module = importlib.import_module(name)
            found += [
                value
                for value in vars(module).values()
                if isinstance(value, APIRouter) and value not in found
            ]
    return found


@cache
def load_all() -> None:
    for module in modules():
        importlib.import_module(module)
