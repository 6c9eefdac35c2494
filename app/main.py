"""Builds the ASGI application: middleware, error handlers, routers. Nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sentry_sdk
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from app import registry
from app.auth.public import BEARER_SCHEME, OPTIONAL_BEARER_SCHEME
from app.core import health
from app.core.config import get_settings
from app.core.db import dispose_engine
from app.core.errors import install_error_handlers
from app.core.idempotency import IdempotencyMiddleware
from app.core.logging import configure_logging
from app.core.middleware import (
    ProxyHeadersMiddleware,
    RequestIdMiddleware,
    SecurityHeadersMiddleware,
)
from app.core.openapi import install_optional_security
from app.core.redis import close_redis
from app.core.responses import ApiJSONResponse
from app.journal.public import record_startup


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    await record_startup()
    yield
    await dispose_engine()
    await close_redis()


def create_app() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.app.log_level, as_json=settings.app.log_json)
    if settings.sentry.dsn is not None:
        sentry_sdk.init(
            dsn=settings.sentry.dsn.get_secret_value(),
            environment=settings.sentry.environment or settings.app.env,
            traces_sample_rate=settings.sentry.traces_sample_rate,
            send_default_pii=False,
        )
    registry.load_all()

    app = FastAPI(
        title=f"{settings.salon.name} API",
        version="1.0.0",
        description="Bookings, clients, payments and more for a French beauty institute.",
        lifespan=lifespan,
        default_response_class=ApiJSONResponse,
    )
    install_error_handlers(app)

    # Added innermost first: a request meets ProxyHeaders first and Idempotency last.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.app.cors_origins,
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["X-Request-ID", "Retry-After", "Idempotent-Replayed"],
    )
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.app.https_only)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.app.trusted_hosts)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(ProxyHeadersMiddleware)

    app.include_router(health.router)
    for router in registry.routers():
        app.include_router(router)
    install_optional_security(app, optional=OPTIONAL_BEARER_SCHEME, required=BEARER_SCHEME)
    return app


app = create_app()
