"""The app mounts every router its domains define (`app/registry.py` finds them), so a new
domain's routes need no line in `app/main.py`; in whatever order they are found, no two
routers may answer the same method and path."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute

from app import registry
from app.core import health
from app.main import app


def _routes() -> list[tuple[int, APIRoute]]:
    routers = [health.router, *registry.routers()]
    return [
        (index, route)
        for index, router in enumerate(routers)
        for route in router.routes
        if isinstance(route, APIRoute)
    ]


def test_every_route_of_every_domain_router_is_served() -> None:
    served = {(path, method) for path, item in app.openapi()["paths"].items() for method in item}
    defined = {
        (route.path, method.lower())
        for _, route in _routes()
        if route.include_in_schema
        for method in route.methods
    }
    assert defined
    assert defined == served


def test_no_two_routers_answer_the_same_request() -> None:
    clashes = []
    routes = _routes()
    for index, route in routes:
        concrete = re.sub(r"\{[^}]+\}", "x1", route.path)
        for other_index, other in routes:
            if index == other_index or not route.methods & other.methods:
                continue
            if other.path_regex.match(concrete):
                clashes.append((route.path, other.path))
    assert clashes == []
