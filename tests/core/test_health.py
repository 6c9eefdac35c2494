from __future__ import annotations

from httpx import AsyncClient


async def test_health_answers_without_touching_dependencies(client: AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_checks_the_database_and_redis(client: AsyncClient) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["redis"] in {"ok", "not configured"}


async def test_docs_and_openapi_are_served(client: AsyncClient) -> None:
    docs = await client.get("/docs")
    spec = await client.get("/openapi.json")
    assert docs.status_code == 200
    assert "/api/v1/auth/token" in spec.json()["paths"]


async def test_cors_allows_the_site_origin(client: AsyncClient) -> None:
    response = await client.options(
        "/api/v1/auth/token",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"},
    )
    assert response.headers["access-control-allow-origin"] == "http://localhost:3000"


async def test_large_answers_are_gzipped(client: AsyncClient) -> None:
    response = await client.get("/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"


async def test_ready_answers_503_when_redis_does_not(client: AsyncClient) -> None:
    from app.core import redis as redis_module
    from app.core.config import get_settings

    settings = get_settings()
    previous = settings.redis.url
    settings.redis.url = "redis://127.0.0.1:1/0"  # nothing listens there
    redis_module._clients.clear()
    try:
        response = await client.get("/ready")
    finally:
        settings.redis.url = previous
        redis_module._clients.clear()

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["checks"]["redis"].startswith("error")
    assert response.json()["checks"]["database"] == "ok"


def test_the_cli_lists_the_routes() -> None:
    from typer.testing import CliRunner

    from app.cli import cli

    result = CliRunner().invoke(cli, ["routes"])
    assert result.exit_code == 0
    assert "POST    /api/v1/bookings" in result.output
    assert "GET     /api/v1/availability/slots" in result.output
