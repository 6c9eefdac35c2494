"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from app.core.db import get_engine
from app.core.errors import problem_response
from app.core.redis import get_redis

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    """The process is up (no dependency is checked)."""
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "`service_unavailable`"}})
async def ready() -> JSONResponse:
    """The database answers and, when configured, so does Redis."""
    checks: dict[str, str] = {}
    try:
        async with get_engine().connect() as connection:
            await connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure means not ready
        checks["database"] = f"error: {type(exc).__name__}"
    redis = get_redis()
    if redis is None:
        checks["redis"] = "not configured"
    else:
        try:
            await redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:  # any failure means not ready
            checks["redis"] = f"error: {type(exc).__name__}"
    if any(value.startswith("error") for value in checks.values()):
        return problem_response(
            status=503,
            code="service_unavailable",
            title="Not ready",
            detail="A dependency is not answering.",
            extra={"checks": checks},
        )
    return JSONResponse({"status": "ok", "checks": checks})
