"""A provider's SDK is imported only by its adapter, `app/integrations/<provider>/client.py`:
checked on the syntax tree of every module under app/, imports inside functions included.
(import-linter, in `make lint`, keeps the layers and the public-module rule; it does not look
at imports of third-party packages module by module.)
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"

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


def violations(app: Path = APP) -> list[str]:
    problems: list[str] = []
    for path in sorted(app.rglob("*.py")):
        problems += sdk_violations(path, app)
    return problems


if __name__ == "__main__":
    found = violations()
    for problem in found:
        print(problem)
    print(f"provider SDK imports: {len(found)} violation(s)")
    sys.exit(1 if found else 0)
