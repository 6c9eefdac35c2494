from __future__ import annotations

import pytest
from httpx import AsyncClient

from app import registry
from app.core.errors import all_error_classes
from tests.builders import verify_email

PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


def test_error_codes_are_unique() -> None:
    registry.load_all()
    import app.main  # noqa: F401 - imports every router and its errors

    codes = [cls.code for cls in all_error_classes()]
    duplicates = {code for code in codes if codes.count(code) > 1}
    assert not duplicates


async def test_unknown_route_is_a_404_problem(client: AsyncClient) -> None:
    response = await client.get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert body["code"] == "not_found"
    assert body["type"].endswith("/not_found")


async def test_validation_errors_name_each_field(client: AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/signup", json={"email": "not-an-email", "password": "short"}
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    fields = {error["field"] for error in body["errors"]}
    assert {"body.email", "body.password", "body.first_name", "body.last_name"} <= fields


async def test_a_malformed_json_body_is_a_422_problem(client: AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/refresh", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_conflict_is_a_409_problem(client: AsyncClient) -> None:
    body = {
        "email": "a@example.fr",
        "password": "une-phrase-secrete",
        "first_name": "A",
        "last_name": "B",
    }
    await client.post("/api/v1/auth/signup", json=body)
    await verify_email(client, "a@example.fr")  # an unverified address stays open to others
    response = await client.post("/api/v1/auth/signup", json=body)

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json().keys() >= PROBLEM_KEYS


async def test_wrong_method_is_a_405_problem(client: AsyncClient) -> None:
    response = await client.delete("/api/v1/auth/me")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


async def test_a_crash_answers_500_without_a_trace(client: AsyncClient) -> None:
    from app.main import app

    @app.get("/__boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    try:
        crashed = await client.get("/__boom")
    finally:
        app.router.routes.pop()
    assert crashed.status_code == 500
    assert crashed.json()["code"] == "internal_error"
    assert "secret internals" not in crashed.text
    assert "Traceback" not in crashed.text


@pytest.mark.parametrize("path", ["/health", "/api/v1/auth/me"])
async def test_every_response_carries_a_request_id_and_security_headers(
    client: AsyncClient, path: str
) -> None:
    response = await client.get(path, headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


async def test_a_hostile_request_id_is_replaced(client: AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "bad id\nwith newline"})
    assert response.headers["X-Request-ID"] != "bad id\nwith newline"
    assert len(response.headers["X-Request-ID"]) == 32


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        (
            "GET",
            "/api/v1/availability/slots?service_ids=00000000-0000-0000-0000-000000000000"
            "&date_from=9999-12-30&date_to=9999-12-31",
            None,
        ),
        (
            "GET",
            "/api/v1/availability/slots?service_ids=00000000-0000-0000-0000-000000000000"
            "&date_from=0001-01-01&date_to=0001-01-02",
            None,
        ),
        (
            "POST",
            "/api/v1/bookings",
            {
                "service_ids": ["00000000-0000-0000-0000-000000000000"],
                "start": "9999-12-31T23:00:00+00:00",
            },
        ),
        ("GET", "/api/v1/availability/closures?date_from=0001-01-01", None),
    ],
)
async def test_far_away_dates_are_a_validation_error_not_a_crash(
    client: AsyncClient, method: str, url: str, body: object
) -> None:
    response = await client.request(method, url, json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_a_nul_character_is_refused_cleanly(client: AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/signup",
        json={
            "email": "nul@example.fr",
            "password": "une-phrase-secrete",
            "first_name": "A\u0000B",
            "last_name": "C",
        },
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_value"
