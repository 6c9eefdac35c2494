"""One layout for every domain (STYLE.md, "The house"): the files every domain has, topics only
in `topics.py`, outbox handlers only in `handlers.py`, money formatted only by
`app.core.money.euros`. A new domain that breaks a rule fails here; the domains still being
reshaped are in `ALLOWED`, which only shrinks (a fixed entry fails the staleness test, so the
coordinator removes it)."""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

from app import registry
from app.core import outbox

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"

ALWAYS_PRESENT = ("router", "schemas", "models", "service", "public", "errors")

# Shrinking allow-list: each entry is a rule a domain still breaks, with its reason; remove it
# once the domain follows the rule (test_the_allow_list_has_no_stale_entry says when).
ALLOWED: dict[str, set[str]] = {
    # files STYLE lists that these domains do not have yet
    "missing": {
        # Past 400 lines a service becomes a package (STYLE); payments' is split by what each
        # part does instead: checkout.py (online), desk.py (at the salon), balances.py,
        # refunds.py, ledger.py (status rules), cards.py. Folding them into service/ is a move
        # of imports only, left for a quiet day.
        "payments/service.py",
    },
    # outbox handlers outside a handlers.py (module of the handler)
    "handler": set(),
    # cents turned into a float or formatted by hand, outside app/core/money.py
    "money": {
        "app/integrations/sumup/client.py",  # the SumUp SDK takes the amount as a float
    },
}


def domains() -> list[str]:
    """The domain layer of pyproject's import-linter layers: the one list a domain joins."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")["layers"]
    line = next(layer for layer in layers if "bookings" in layer)
    return sorted(name.strip() for name in line.split(":"))


def missing_files() -> set[str]:
    return {
        f"{domain}/{name}.py"
        for domain in domains()
        for name in ALWAYS_PRESENT
        if not (APP / domain / f"{name}.py").is_file()
    }


def topic_lines(source: str) -> list[int]:
    """Lines that call `Topic(...)` or `outbox.Topic(...)`: a topic declared there."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and "Topic" in (getattr(node.func, "id", None), getattr(node.func, "attr", None))
    ]


def topics_outside_topics_py() -> set[str]:
    return {
        f"{path.relative_to(ROOT)}:{line}"
        for domain in domains()
        for path in (APP / domain).rglob("*.py")
        if path.name != "topics.py"
        for line in topic_lines(path.read_text())
    }


def handlers_outside_handlers_py(modules: Iterable[str] | None = None) -> set[str]:
    if modules is None:
        registry.load_all()
        modules = outbox.handler_modules().values()
    return {m for m in modules if m.startswith("app.") and not m.endswith(".handlers")}


# `cents / 100` (true division: a float) and `:.2f` (a float printed as money).
_FLOAT_MONEY = re.compile(r"(?<![/\d])/ ?100\b|:\.2f")


def money_formatted_by_hand() -> set[str]:
    return {
        str(path.relative_to(ROOT))
        for path in APP.rglob("*.py")
        if path != APP / "core" / "money.py" and _FLOAT_MONEY.search(path.read_text())
    }


def test_the_domain_list_names_every_domain_package() -> None:
    packages = {p.parent.name for p in APP.glob("*/__init__.py")} - {"core", "integrations"}
    assert set(domains()) == packages


def test_every_domain_has_the_files_style_lists() -> None:
    assert missing_files() - ALLOWED["missing"] == set()


def test_topics_are_declared_only_in_topics_py() -> None:
    assert topics_outside_topics_py() == set()


def test_outbox_handlers_live_only_in_handlers_py() -> None:
    assert handlers_outside_handlers_py() - ALLOWED["handler"] == set()


def test_money_is_formatted_only_by_core_money() -> None:
    assert money_formatted_by_hand() - ALLOWED["money"] == set()


def test_the_allow_list_has_no_stale_entry() -> None:
    """A domain that now follows a rule leaves the list, so the list only shrinks."""
    assert ALLOWED["missing"] - missing_files() == set()
    assert ALLOWED["handler"] - handlers_outside_handlers_py() == set()
    assert ALLOWED["money"] - money_formatted_by_hand() == set()


def test_the_probes_find_what_they_look_for() -> None:
    """The rules are not vacuous: each probe sees a known offender."""
    assert "payments/service.py" in missing_files()
    registry.load_all()
    assert len(set(outbox.handler_modules().values())) >= 6
    assert handlers_outside_handlers_py(["app.payments.refunds", "app.stock.handlers"]) == {
        "app.payments.refunds"
    }
    assert topic_lines("T = outbox.Topic('x.y', P)\nU = Topic('x.z', P)\n") == [1, 2]
    assert sum(len(topic_lines(p.read_text())) for p in APP.glob("*/topics.py")) >= 11
    assert _FLOAT_MONEY.search("f'{cents / 100:.2f}'")
    assert not _FLOAT_MONEY.search("whole, part = divmod(cents, 100); cents // 100")
