"""A log call whose `extra` names a LogRecord attribute (`name`, `msg`, `module`...) raises
KeyError, but only when its level is enabled: tests log at WARNING, `make run` at INFO, so
such a call passes the tests and answers 500 in development. This reads every log call in
app/ instead, including keywords passed to a helper that forwards them into `extra`."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

from app.core.config import PROJECT_ROOT

RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def _extra_keys(call: ast.Call) -> tuple[set[str], set[str]]:
    """Literal keys of `extra={...}` and the names of `**kwargs` spread into it."""
    keys: set[str] = set()
    spread: set[str] = set()
    for keyword in call.keywords:
        if keyword.arg == "extra" and isinstance(keyword.value, ast.Dict):
            for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    keys.add(key.value)
                elif key is None and isinstance(value, ast.Name):
                    spread.add(value.id)
    return keys, spread


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return call.func.id if isinstance(call.func, ast.Name) else None


def _collisions(tree: ast.Module, where: Path) -> list[str]:
    found: list[str] = []
    forwarders: set[str] = set()  # functions whose **kwargs end up in a log call's extra
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        kwargs = function.args.kwarg.arg if function.args.kwarg else None
        for call in ast.walk(function):
            if isinstance(call, ast.Call):
                keys, spread = _extra_keys(call)
                found += [f"{where}:{call.lineno}: extra {k!r}" for k in keys & RESERVED]
                if kwargs and kwargs in spread:
                    forwarders.add(function.name)
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and _callee(call) in forwarders:
            names = {k.arg for k in call.keywords if k.arg} & RESERVED
            found += [f"{where}:{call.lineno}: {_callee(call)}({n}=...)" for n in names]
    return found


def test_no_log_call_in_app_overwrites_a_log_record_attribute() -> None:
    found: list[str] = []
    for path in sorted((PROJECT_ROOT / "app").rglob("*.py")):
        found += _collisions(ast.parse(path.read_text(encoding="utf-8")), path)

    assert found == []


def test_the_scan_sees_a_collision_through_a_forwarding_helper() -> None:
    source = (
        "def _log(action, **fields):\n"
        "    logger.info(action, extra={'provider': 'x', **fields})\n"
        "def pair(name):\n"
        "    _log('pair', name=name)\n"
        "    logger.warning('w', extra={'module': 1})\n"
    )

    assert len(_collisions(ast.parse(source), Path("x.py"))) == 2
