"""The permission model, declared on the dependencies themselves and read back per route.

Every permission dependency (`require(...)`, `require_client`, `current_principal`, and the
object loaders of each domain) carries a `Rule`: for each kind of caller, `yes` (any
object), `own` (only objects in her scope, others answer 404, or 403 for a colleague's
calendar), `link` (whoever holds a signed link or a provider signature; a bearer token adds
nothing), or `no` (401 anonymous, 403 wrong role). A route's access is the strictest of the
rules found in its dependency tree, so the table in docs/permissions.md is generated from
the code (`python -m app.cli permissions`) and a new route cannot go unlisted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from fastapi import Depends, FastAPI, routing
from fastapi.dependencies.models import Dependant

from app.auth.models import Role


class Caller(StrEnum):
    anonymous = "anonymous"
    client = "client"
    practitioner = "practitioner"
    receptionist = "receptionist"
    manager = "manager"
    owner = "owner"


class Access(StrEnum):
    no = "no"
    link = "link"
    own = "own"
    yes = "yes"


_STRICTNESS = [Access.no, Access.link, Access.own, Access.yes]


@dataclass(frozen=True, slots=True)
class Rule:
    access: Mapping[Caller, Access]
    note: str = ""

    @classmethod
    def of(cls, note: str = "", default: Access = Access.no, **access: Access) -> Rule:
        return cls({c: access.get(c.value, default) for c in Caller}, note)


@dataclass(frozen=True, slots=True)
class RouteAccess:
    method: str
    path: str
    access: Mapping[Caller, Access]
    notes: tuple[str, ...] = field(default=())


F = TypeVar("F", bound=Callable[..., Any])
_ATTRIBUTE = "__permission_rule__"


def rule(declared: Rule) -> Callable[[F], F]:
    """Attach `declared` to a dependency: the table reads it, the dependency enforces it."""

    def attach(function: F) -> F:
        setattr(function, _ATTRIBUTE, declared)
        return function

    return attach


def declared_in_handler(declared: Rule) -> Any:
    """For a check that needs the request body or filters a list (so it runs in the
    handler): `dependencies=[declared_in_handler(...)]` puts it in the table, and the
    table-driven test holds the handler to it."""

    async def in_handler() -> None:
        return None

    return Depends(rule(declared)(in_handler))


def staff_rule(*roles: Role) -> Rule:
    return Rule.of(**{r.value: Access.yes for r in roles})


def _rules(dependant: Dependant) -> Iterator[Rule]:
    for sub in dependant.dependencies:
        found = getattr(sub.call, _ATTRIBUTE, None)
        if isinstance(found, Rule):
            yield found
        yield from _rules(sub)


def _strictest(a: Access, b: Access) -> Access:
    return min(a, b, key=_STRICTNESS.index)


def _public(dependant: Dependant, tags: list[str]) -> Rule | None:
    names = {p.name for p in (*dependant.path_params, *dependant.query_params)}
    if "webhooks" in tags:
        return Rule.of("provider signature", default=Access.link)
    if "token" in names:
        return Rule.of("signed link", default=Access.link)
    return None


def route_access(app: FastAPI) -> list[RouteAccess]:
    """Every operation of the app, as the OpenAPI document lists them, with who may call it."""
    found: list[RouteAccess] = []
    for context in routing.iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, routing.APIRoute) or not route.include_in_schema:
            continue
        dependant = context.dependant
        rules = list(_rules(dependant))
        if not rules and (public := _public(dependant, [str(t) for t in route.tags])):
            rules = [public]
        access = {c: Access.yes for c in Caller}
        for one in rules:
            access = {c: _strictest(access[c], one.access[c]) for c in Caller}
        notes = tuple(dict.fromkeys(r.note for r in rules if r.note))
        for method in sorted(context.methods or ()):
            found.append(RouteAccess(method, context.path or "", access, notes))
    return sorted(found, key=lambda r: (r.path, r.method))


_LEGEND = """\
# Permissions

Generated from the routes by `python -m app.cli permissions > docs/permissions.md`; a test
fails when this file and the code disagree, and a table-driven test calls every route as
each kind of caller against the objects of another client and a colleague.

- `yes`: allowed, on any object.
- `own`: only her own objects. A client: her own record, bookings, payments, gift cards.
  A practitioner: her own calendar, and the clients she has served or is booked with
  (with their bookings); she books only those clients or new ones (a salon client she has
  not served is booked by the front desk, so no booking widens her scope). Anonymous:
  whoever holds the booking's manage link. Outside that
  scope the answer is 404 (the object is not acknowledged), or 403 for a colleague's
  calendar, working hours, absences or blocks (practitioners are public).
- `link`: decided by a signed link or a provider signature only; a bearer token adds no
  right (a manage link acts with the rights of the client, never a staff member's).
- `no`: refused: 401 without a token, 403 with a token of another role.
- `owner` may do everything a `manager` may; only the owner changes or deactivates a
  manager or another owner (see docs/decisions.md).

"""


def markdown(app: FastAPI) -> str:
    """docs/permissions.md: the legend and one line per operation."""
    header = ["method", "path", *(c.value for c in Caller), "rule"]
    lines = [
        _LEGEND,
        "| " + " | ".join(header) + " |",
        "|" + "|".join(" --- " for _ in header) + "|",
    ]
    for route in route_access(app):
        cells = [route.method, f"`{route.path}`", *(route.access[c].value for c in Caller)]
        lines.append("| " + " | ".join([*cells, "; ".join(route.notes)]) + " |")
    return "\n".join(lines) + "\n"
