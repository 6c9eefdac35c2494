"""The payables registry (`app/core/payables.py`): every subject kind the code pays for has a
registered payable, a kind has one owner, and an unknown kind is a clear error."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app import registry
from app.core import payables

APP = Path(__file__).resolve().parents[2] / "app"


def _kind(node: ast.AST) -> str | None:
    """The subject kind a node names literally: `("gift_card", card.id)` passed as
    `subject=`, `payables.get("booking")`, `@payables.payable("booking")`."""
    if isinstance(node, ast.Tuple) and len(node.elts) == 2:
        first = node.elts[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
    return None


def kinds_named_in_the_code() -> dict[str, str]:
    """Every subject kind the application names, and one place where it does."""
    found: dict[str, str] = {}
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            where = f"{path.relative_to(APP.parent)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.keyword) and node.arg in {"subject", "subject_kind"}:
                kind = _kind(node.value)
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    kind = node.value.value
                if kind:
                    found.setdefault(kind, where)
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "payables"
                and node.func.attr in {"get", "find", "payable", "register"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.setdefault(str(node.args[0].value), where)
    return found


def test_every_subject_kind_the_code_pays_for_has_a_payable() -> None:
    registry.load_all()
    named = kinds_named_in_the_code()

    assert {"booking", "gift_card"} <= set(named)
    missing = {kind: where for kind, where in named.items() if kind not in payables.kinds()}
    assert missing == {}


def test_an_unknown_kind_is_a_clear_error() -> None:
    registry.load_all()

    with pytest.raises(payables.UnknownSubjectKind) as raised:
        payables.get("spaceship")

    assert raised.value.status == 422
    assert raised.value.extra == {"subject_kind": "spaceship"}
    assert payables.find("spaceship") is None


def test_a_kind_has_one_owner() -> None:
    registry.load_all()

    class Impostor(payables.Payable):
        pass

    with pytest.raises(RuntimeError, match="already paid through"):
        payables.register("booking", Impostor())
    assert type(payables.get("booking")).__name__ == "BookingPayable"
