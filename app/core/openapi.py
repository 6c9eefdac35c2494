"""The OpenAPI document, with optional authentication said as optional.

FastAPI lists every security dependency as required. Endpoints that also serve anonymous
callers (the public site) read the token through a scheme of their own name; here that name
becomes "anonymous, or the real scheme", so generated clients send a token only if they have
one.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel


def _rewrite(document: dict[str, Any], *, optional: str, required: str) -> dict[str, Any]:
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            security = operation.get("security")
            if not isinstance(security, list) or {optional: []} not in security:
                continue
            kept = [entry for entry in security if entry != {optional: []}]
            # A route that also needs a required token stays required.
            operation["security"] = kept or [{}, {required: []}]
    schemes = document.get("components", {}).get("securitySchemes", {})
    if optional in schemes:
        schemes.setdefault(required, schemes[optional])
        del schemes[optional]
    return document


def install_optional_security(app: FastAPI, *, optional: str, required: str) -> None:
    """Make `app.openapi()` mark the `optional` scheme as optional use of `required`."""

    generate = app.openapi
    rewritten: dict[str, Any] | None = None

    def build() -> dict[str, Any]:
        # FastAPI caches its document but builds a new one whenever the routes change (a
        # route added after the first build): each new document is rewritten, once.
        nonlocal rewritten
        document = generate()
        if document is not rewritten:
            rewritten = _rewrite(document, optional=optional, required=required)
        return document

    setattr(app, "openapi", build)  # noqa: B010


def keep_published_name(module: str, *models: type[BaseModel]) -> None:
    """Models whose class name another domain also uses are named by module in the OpenAPI
    document (`app__giftcards__router__CancelIn`), and generated clients name their types
    after that. A model moved out of the module it shipped from keeps the name it was
    published under."""
    for model in models:
        model.__module__ = module
        model.model_rebuild(force=True)
