"""The import contract (pyproject.toml: lint-imports and ruff's TID rules) refuses what STYLE.md
forbids. Each probe is written into a copy of `app/`, so the real tree never holds it, and the
tools run on the copy as subprocesses, exactly as `make lint` runs them. What a public module
exports (functions and DTOs, never ORM classes or SQL) is checked on the imported modules."""

from __future__ import annotations

import inspect
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import get_args, get_origin, get_type_hints

import pytest
from sqlalchemy.sql import ClauseElement

import app
from app.registry import load_all

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the package, the configuration and the custom contract."""
    shutil.copytree(ROOT / "app", tmp_path / "app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "import_contracts.py", tmp_path / "scripts")
    return tmp_path


def run(tree: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own virtualenv's tools and arguments
        [str(BIN / command[0]), *command[1:]],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return run(tree, "lint-imports", "--no-cache")


def ruff(tree: Path, path: str) -> subprocess.CompletedProcess[str]:
    return run(tree, "ruff", "check", "--no-cache", "--output-format", "concise", path)


def test_the_contracts_hold_on_the_code_as_it_is(tree: Path) -> None:
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("probe", "source", "broken"),
    [
        pytest.param(
            "app/coupons/probe.py",
            "from app.payments.models import Payment\n\nPROBE = Payment\n",
            "app.coupons.probe -> app.payments.models",
            id="a domain imports another domain's model",
        ),
        pytest.param(
            "app/coupons/probe.py",
            "from app.bookings import service\n\nPROBE = service\n",
            "app.coupons.probe -> app.bookings.service",
            id="a domain imports another domain's service",
        ),
        pytest.param(
            "app/coupons/probe.py",
            "import app.payments\n\nPROBE = app.payments\n",
            "app.coupons.probe -> app.payments",
            id="a domain imports another domain's package",
        ),
        pytest.param(
            "app/core/probe.py",
            "from app.bookings import public\n\nPROBE = public\n",
            "app.core.probe -> app.bookings.public",
            id="core imports a domain",
        ),
        pytest.param(
            "app/integrations/probe.py",
            "from app.payments import public\n\nPROBE = public\n",
            "app.integrations.probe -> app.payments.public",
            id="an integration imports a domain",
        ),
        pytest.param(
            "app/bookings/probe.py",
            "from app import worker\n\nPROBE = worker\n",
            "app.bookings.probe -> app.worker",
            id="a domain imports an entry point",
        ),
    ],
)
def test_lint_imports_refuses_an_import_across_a_boundary(
    tree: Path, probe: str, source: str, broken: str
) -> None:
    (tree / probe).write_text(source, encoding="utf-8")
    result = lint_imports(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    assert broken in result.stdout


def test_lint_imports_refuses_sqlalchemy_in_a_router(tree: Path) -> None:
    router = tree / "app" / "bookings" / "router.py"
    router.write_text(
        "from sqlalchemy import select\n\n" + router.read_text(encoding="utf-8"), encoding="utf-8"
    )
    result = lint_imports(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Routers speak HTTP: no sqlalchemy in a router BROKEN" in result.stdout
    assert "app.bookings.router -> sqlalchemy" in result.stdout


@pytest.mark.parametrize(
    ("source", "rule"),
    [
        pytest.param("from .models import Booking\n\nPROBE = Booking\n", "TID252", id="relative"),
        pytest.param(
            "from . import models\n\nPROBE = models\n", "TID252", id="relative package import"
        ),
        pytest.param(
            'import importlib\n\nPROBE = importlib.import_module("app.payments.models")\n',
            "TID251",
            id="importlib",
        ),
    ],
)
def test_ruff_refuses_an_import_the_graph_cannot_see(tree: Path, source: str, rule: str) -> None:
    (tree / "app" / "bookings" / "probe.py").write_text(source, encoding="utf-8")
    result = ruff(tree, "app/bookings/probe.py")
    assert result.returncode == 1, result.stdout + result.stderr
    assert any(
        line.startswith("app/bookings/probe.py:") and rule in line
        for line in result.stdout.splitlines()
    ), result.stdout


# SQL fragments other domains splice into their own statement so a search stays one round trip
# (the slot engine's union, the client list's filter and scope). Shrinking: a query port
# (functions returning rows) replaces each; a new entry needs a measured reason.
QUERY_PARTS = {
    "app.bookings.public.busy_statements",
    "app.bookings.public.clients_matching",
    "app.bookings.public.clients_of_practitioner",
    "app.bookings.public.next_hold_expiry_statement",
    "app.practitioners.public.absence_statement",
}


def _public_modules() -> list[ModuleType]:
    load_all()  # imports every module of app, the public ones with them
    return [
        sys.modules[f"app.{info.name}.public"]
        for info in pkgutil.iter_modules(app.__path__)
        if info.ispkg and (ROOT / "app" / info.name / "public.py").exists()
    ]


def _mentions_sql(annotation: object) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, ClauseElement):
        return True
    origin = get_origin(annotation)
    if isinstance(origin, type) and issubclass(origin, ClauseElement):
        return True
    return any(_mentions_sql(arg) for arg in get_args(annotation))


def _sql_or_orm(value: object) -> bool:
    if isinstance(value, type):
        return hasattr(value, "__mapper__") or issubclass(value, ClauseElement)
    if isinstance(value, ClauseElement):
        return True
    if inspect.isfunction(value):
        return _mentions_sql(get_type_hints(value).get("return"))
    return False


def test_every_public_module_lists_its_exports() -> None:
    """mypy --strict lets other domains use only what `__all__` names: the list is the API."""
    unlisted = [m.__name__ for m in _public_modules() if not hasattr(m, "__all__")]
    assert unlisted == []


def test_public_modules_export_functions_and_dtos_not_orm_classes_or_sql() -> None:
    exported = [
        f"{module.__name__}.{name}"
        for module in _public_modules()
        for name in getattr(module, "__all__", ())
        if _sql_or_orm(getattr(module, name))
    ]
    assert sorted(set(exported) - QUERY_PARTS) == []
    assert sorted(QUERY_PARTS - set(exported)) == [], "a query part is gone: drop it from the list"
