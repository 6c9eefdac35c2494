"""An import-linter contract the built-in types cannot express: a domain's `public` module is
the only part of it other domains may import.

Every child package of a container that is not listed in `shared` is a domain, so a new domain
is covered without a line here. `shared` packages (core, integrations) may be imported by all;
which way they may import is the layers contract's business. The `composition_roots` (the
entry points that mount routers and tasks) may import anything.

Loaded by `lint-imports` through `contract_types` in pyproject.toml (it puts the current
directory on sys.path).
"""

from __future__ import annotations

from typing import Any

import grimp
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils


class PublicOnlyContract(Contract):
    """Imports into a domain from outside it must target `<domain>.<public>`; not even the
    package itself, whose `__init__` could re-export the internals.

    Options: containers (packages whose child packages are domains), shared (child packages
    that are not domains), composition_roots (modules allowed to import any domain module),
    public (the name of the public module, `public` by default), ignore_imports.
    """

    type_name = "public_only"

    containers = fields.ListField(subfield=fields.StringField())
    shared = fields.SetField(subfield=fields.StringField(), required=False)
    composition_roots = fields.SetField(subfield=fields.StringField(), required=False)
    public = fields.StringField(required=False, default="public")
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(
        contract_utils.AlertLevel, default=contract_utils.AlertLevel.ERROR
    )

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,  # type: ignore[arg-type]
            unmatched_alerting=self.unmatched_ignore_imports_alerting,  # type: ignore[arg-type]
        )
        roots: set[str] = set(self.composition_roots or ())  # type: ignore[call-overload]
        illegal: list[dict[str, Any]] = []
        for domain in self._domains(graph):
            public = f"{domain}.{self.public}"
            for imported in sorted({domain, *graph.find_descendants(domain)}):
                if imported == public or imported.startswith(f"{public}."):
                    continue
                for importer in sorted(graph.find_modules_that_directly_import(imported)):
                    if _within(importer, domain) or any(_within(importer, r) for r in roots):
                        continue
                    details = graph.get_import_details(importer=importer, imported=imported)
                    lines = sorted({d["line_number"] for d in details})
                    illegal.append({"importer": importer, "imported": imported, "lines": lines})
        return ContractCheck(
            kept=not illegal,
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={"illegal_imports": illegal},
        )

    def _domains(self, graph: grimp.ImportGraph) -> list[str]:
        shared: set[str] = set(self.shared or ())  # type: ignore[call-overload]
        found: list[str] = []
        for container in self.containers:  # type: ignore[attr-defined]
            for child in sorted(graph.find_children(container)):
                if child.rsplit(".", 1)[-1] not in shared and graph.find_children(child):
                    found.append(child)
        return found

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error(
            f"Another domain is reached only through its {self.public} module:", bold=False
        )
        output.new_line()
        for link in check.metadata["illegal_imports"]:
            lines = ", ".join(map(str, link["lines"]))
            output.print_error(
                f"- {link['importer']} -> {link['imported']} (l.{lines})", bold=False
            )
        output.new_line()


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")
