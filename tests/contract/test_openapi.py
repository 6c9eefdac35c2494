"""What generated clients read in /openapi.json."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from httpx import AsyncClient

PUBLIC_OPERATIONS = [
    ("get", "/api/v1/services"),
    ("get", "/api/v1/services/{service_id}"),
    ("get", "/api/v1/practitioners"),
    ("get", "/api/v1/practitioners/{practitioner_id}"),
    ("get", "/api/v1/availability/slots"),
    ("get", "/api/v1/availability/opening-hours"),
    ("get", "/api/v1/settings/booking-rules"),
    ("post", "/api/v1/bookings"),
    ("post", "/api/v1/waitlist"),
    ("post", "/api/v1/gift-cards"),
    ("post", "/api/v1/gift-cards/balance"),
    ("post", "/api/v1/coupons/validate"),
    ("post", "/api/v1/payments/deposits"),
    ("post", "/api/v1/auth/token"),
    ("post", "/api/v1/auth/signup"),
]


async def _document(client: AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def _admits_anonymous(operation: dict[str, Any]) -> bool:
    security = operation.get("security")
    return security is None or {} in security


@pytest.mark.parametrize(("method", "path"), PUBLIC_OPERATIONS)
async def test_public_routes_say_a_token_is_optional(
    client: AsyncClient, method: str, path: str
) -> None:
    operation = (await _document(client))["paths"][path][method]

    assert _admits_anonymous(operation), operation.get("security")


async def test_staff_routes_still_say_a_token_is_required(client: AsyncClient) -> None:
    paths = (await _document(client))["paths"]

    for method, path in [("get", "/api/v1/bookings"), ("put", "/api/v1/settings/booking-rules")]:
        assert paths[path][method]["security"] == [{"OAuth2PasswordBearer": []}]


async def test_every_security_requirement_names_a_declared_scheme(client: AsyncClient) -> None:
    document = await _document(client)
    schemes = set(document["components"]["securitySchemes"])

    named = {
        name
        for operations in document["paths"].values()
        for operation in operations.values()
        for entry in operation.get("security", [])
        for name in entry
    }

    assert named <= schemes
    assert schemes == {"OAuth2PasswordBearer"}


def test_a_document_built_again_after_the_routes_change_says_the_same() -> None:
    """FastAPI builds the document again whenever the routes change (a route added late, as
    tests/core/test_errors.py does): the new one must still say tokens are optional where
    they are, whatever was built before."""
    from app.main import create_app

    app = create_app()
    first = copy.deepcopy(app.openapi())

    @app.get("/__probe", include_in_schema=True)
    async def probe() -> None:
        return None

    rebuilt = copy.deepcopy(app.openapi())
    del rebuilt["paths"]["/__probe"]

    assert rebuilt == first
    assert set(rebuilt["components"]["securitySchemes"]) == {"OAuth2PasswordBearer"}
