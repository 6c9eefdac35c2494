"""The import contract of STYLE.md, checked on the syntax tree of every module under app/.

- core imports nothing of ours but core; integrations only core and integrations;
- a domain reaches another domain only through its `public` module;
- only the composition roots (main, worker, cli, registry, seed, devserver) import routers
  and tasks across domains.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"
ROOTS = {"main", "worker", "cli", "registry", "seed", "devserver", "__init__"}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.count(".") >= 2:
                found.append((node.lineno, node.module))
            else:  # `from app.bookings import public`: what counts is the module imported
                found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return [(line, name) for line, name in found if name.startswith("app.")]


def violations() -> list[str]:
    problems: list[str] = []
    for path in sorted(APP.rglob("*.py")):
        parts = path.relative_to(APP).with_suffix("").parts
        package = parts[0]
        if len(parts) == 1 and package in ROOTS:
            continue
        for line, name in imported_modules(path):
            target = name.split(".")
            target_package = target[1] if len(target) > 1 else ""
            where = f"{path.relative_to(APP.parent)}:{line} imports {name}"
            if target_package == package or target_package == "core":
                continue
            if package == "core":
                problems.append(f"{where}: core imports no other package")
            elif target_package == "integrations":
                if package == "integrations":
                    continue
            elif package == "integrations":
                problems.append(f"{where}: integrations import only core")
            elif len(target) < 3 or target[2] != "public":
                problems.append(f"{where}: use app.{target_package}.public")
    return problems


if __name__ == "__main__":
    found = violations()
    for problem in found:
        print(problem)
    print(f"import contract: {len(found)} violation(s)")
    sys.exit(1 if found else 0)
