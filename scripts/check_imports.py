"""The import contract of STYLE.md, checked on the syntax tree of every module under app/.

- core imports nothing of ours but core; integrations only core and integrations;
- a domain reaches another domain only through its `public` module;
- only the composition roots (main, worker, cli, registry, seed, devserver) import routers
  and tasks across domains;
- a provider's SDK is imported only by its adapter, `app/integrations/<provider>/client.py`.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"
ROOTS = {"main", "worker", "cli", "registry", "seed", "devserver", "__init__"}
# Each provider SDK and the one module allowed to import it.
SDKS = {
    "stripe": "integrations/stripe/client.py",
    "paypalserversdk": "integrations/paypal/client.py",
    "sumup": "integrations/sumup/client.py",
    "ovh": "integrations/ovh_sms/client.py",
    "resend": "integrations/resend_email/client.py",
    "google.cloud.storage": "integrations/gcs/client.py",
}


def all_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """Every absolute import, wherever it sits (a function body too), as full module names:
    `from google.cloud import storage` is `google.cloud.storage`."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def sdk_violations(path: Path, app: Path) -> list[str]:
    where = path.relative_to(app).as_posix()
    found = {
        (line, sdk)
        for line, name in all_imports(ast.parse(path.read_text(encoding="utf-8")))
        for sdk, home in SDKS.items()
        if (name == sdk or name.startswith(f"{sdk}.")) and where != home
    }
    return [
        f"app/{where}:{line} imports {sdk}: only app/{SDKS[sdk]} may" for line, sdk in sorted(found)
    ]


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


def violations(app: Path = APP) -> list[str]:
    problems: list[str] = []
    for path in sorted(app.rglob("*.py")):
        problems += sdk_violations(path, app)
        parts = path.relative_to(app).with_suffix("").parts
        package = parts[0]
        if len(parts) == 1 and package in ROOTS:
            continue
        for line, name in imported_modules(path):
            target = name.split(".")
            target_package = target[1] if len(target) > 1 else ""
            where = f"{path.relative_to(app.parent)}:{line} imports {name}"
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
