"""RFC 9457 problem details: one base error class and the handlers that render every failure.

Each subclass carries its HTTP status, a stable `code` and a title. Codes never change once
shipped; `tests/core/test_errors.py` checks they are unique.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, ClassVar, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://docs.serenaia.example/problems/"


class AppError(Exception):
    """Base of every error the API answers on purpose."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    title: ClassVar[str] = "Internal error"
    # An outcome rather than a failure: the request's writes are committed before the error is
    # answered (a refresh-token reuse revokes the family, then answers 401).
    keep_changes: ClassVar[bool] = False

    def __init__(
        self,
        detail: str | None = None,
        *,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})


class BadRequest(AppError):
    status, code, title = 400, "bad_request", "The request is malformed"


class Unauthenticated(AppError):
    status, code, title = 401, "unauthenticated", "Authentication is required"


class InvalidWebhookSignature(AppError):
    status, code, title = 400, "invalid_webhook_signature", "The webhook signature is not valid"


class WebhookNotConfigured(AppError):
    status, code, title = 503, "webhook_not_configured", "This webhook is not configured"


class Forbidden(AppError):
    status, code, title = 403, "forbidden", "You are not allowed to do this"


class NotFound(AppError):
    status, code, title = 404, "not_found", "The resource does not exist"


class MethodNotAllowed(AppError):
    status, code, title = 405, "method_not_allowed", "This method is not allowed here"


class Conflict(AppError):
    status, code, title = 409, "conflict", "The request conflicts with the current state"


class ValidationFailed(AppError):
    status, code, title = 422, "validation_error", "The request is not valid"


class RateLimited(AppError):
    status, code, title = 429, "rate_limited", "Too many requests, try again later"


class ServiceUnavailable(AppError):
    status, code, title = 503, "service_unavailable", "A service the API needs is unavailable"


def all_error_classes() -> list[type[AppError]]:
    """Every AppError subclass currently imported, for the uniqueness check and docs."""
    found: list[type[AppError]] = []
    pending: list[type[AppError]] = [AppError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


class FieldErrorModel(BaseModel):
    field: str = Field(examples=["body.email"])
    message: str = Field(examples=["value is not a valid email address"])
    type: str = Field(examples=["value_error"])


class ProblemModel(BaseModel):
    """The body of every error (RFC 9457)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "example": {
                "type": f"{TYPE_BASE}slot_unavailable",
                "title": "This slot is no longer available",
                "status": 409,
                "detail": "Another client has just booked this time.",
                "code": "slot_unavailable",
            }
        },
    )

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldErrorModel] | None = None


def error_responses(*errors: type[AppError]) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: each status it can answer with the codes behind it, so the
    OpenAPI document tells the site and CRM teams what to branch on."""
    by_status: dict[int | str, list[type[AppError]]] = {}
    for error in errors:
        by_status.setdefault(error.status, []).append(error)
    return {
        status: {
            "model": ProblemModel,
            "content": {PROBLEM_JSON: {}},
            "description": "; ".join(f"`{e.code}`: {e.title}" for e in group),
        }
        for status, group in by_status.items()
    }


def problem_response(
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"{TYPE_BASE}{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_errors(errors: Sequence[Any]) -> list[dict[str, str]]:
    return [
        {
            "field": ".".join(str(part) for part in error.get("loc", ())),
            "message": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in errors
    ]


_HTTP_CODES = {
    400: BadRequest,
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    409: Conflict,
    429: RateLimited,
}


async def _app_error(_: Request, exc: Exception) -> JSONResponse:
    exc = cast(AppError, exc)
    return problem_response(
        status=exc.status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        extra=exc.extra,
        headers=exc.headers,
    )


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    exc = cast(RequestValidationError, exc)
    return problem_response(
        status=422,
        code=ValidationFailed.code,
        title=ValidationFailed.title,
        detail="One or more fields are not valid.",
        extra={"errors": _field_errors(exc.errors())},
    )


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    exc = cast(StarletteHTTPException, exc)
    known = _HTTP_CODES.get(exc.status_code)
    if known is not None:
        code, title = known.code, known.title
    else:
        code = f"http_{exc.status_code}"
        title = HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) else title
    return problem_response(
        status=exc.status_code, code=code, title=title, detail=detail, headers=exc.headers
    )


class InvalidValue(AppError):
    status, code, title = 422, "invalid_value", "A value cannot be stored"


async def _data_error(_: Request, exc: Exception) -> JSONResponse:
    # The database refused a value the schemas let through (a NUL character, a number out of
    # range): the transaction is rolled back, and it is the client's input, not our crash.
    logger.info("value refused by the database: %s", type(getattr(exc, "orig", exc)).__name__)
    return problem_response(
        status=InvalidValue.status,
        code=InvalidValue.code,
        title=InvalidValue.title,
        detail="A value is too long, out of range, or contains a character that cannot be "
        "stored (such as NUL).",
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        status=500,
        code=AppError.code,
        title=AppError.title,
        detail="Something went wrong on our side. The error has been recorded.",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(Exception, _unexpected_error)
