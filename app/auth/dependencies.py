"""Permissions as types: a handler's signature says who may call it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from app.auth import repository
from app.auth.errors import AccessTokenExpired, InsufficientRole, InvalidAccessToken, UserNotFound
from app.auth.models import Role, UserKind
from app.auth.permissions import Access, Rule, rule, staff_rule
from app.auth.principal import ALL_STAFF, FRONT_DESK, MANAGERS, Principal
from app.core.db import DbSession
from app.core.security import AccessClaims, ExpiredToken, InvalidToken, decode_access_token

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
# Public endpoints read the token through a scheme of their own name, which the OpenAPI
# document turns into "anonymous, or OAuth2PasswordBearer" (app/core/openapi.py).
BEARER_SCHEME = "OAuth2PasswordBearer"
OPTIONAL_BEARER_SCHEME = "OptionalOAuth2PasswordBearer"
_optional_bearer = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/token", auto_error=False, scheme_name=OPTIONAL_BEARER_SCHEME
)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


@rule(Rule.of(default=Access.yes, anonymous=Access.no))
async def current_principal(
    session: DbSession, token: Annotated[str | None, Depends(_bearer)]
) -> Principal:
    if not token:
        raise InvalidAccessToken(
            "Send an access token: `Authorization: Bearer <token>`.", headers=_CHALLENGE
        )
    try:
        claims = decode_access_token(token)
    except ExpiredToken as exc:
        raise AccessTokenExpired(headers=_CHALLENGE) from exc
    except InvalidToken as exc:
        raise InvalidAccessToken(headers=_CHALLENGE) from exc
    user = await repository.get_user(session, claims.user_id)
    # The account is re-read so that deactivation, a role change or a new password takes
    # effect at once.
    if user is None or not user.is_active or _issued_before(claims, user.sessions_valid_after):
        raise InvalidAccessToken(headers=_CHALLENGE)
    return Principal(
        user_id=user.id,
        kind=UserKind(user.kind),
        role=Role(user.role) if user.role else None,
        email=user.email,
    )


def _issued_before(claims: AccessClaims, valid_after: datetime | None) -> bool:
    # `iat` has whole seconds: a login in the second of the reset itself still works.
    if valid_after is None:
        return False
    return claims.issued_at is None or claims.issued_at < valid_after.replace(microsecond=0)


CurrentUser = Annotated[Principal, Depends(current_principal)]


async def optional_principal(
    session: DbSession, token: Annotated[str | None, Depends(_optional_bearer)]
) -> Principal | None:
    """The caller when a token is sent, None for anonymous calls (public endpoints)."""
    if not token:
        return None
    return await current_principal(session, token)


MaybeUser = Annotated[Principal | None, Depends(optional_principal)]


def require(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets through staff with one of `roles`."""

    @rule(staff_rule(*roles))
    async def check(principal: CurrentUser) -> Principal:
        if not principal.has_role(*roles):
            raise InsufficientRole(
                f"This needs one of the roles: {', '.join(r.value for r in roles)}."
            )
        return principal

    return check


@rule(Rule.of(client=Access.yes))
async def require_client(principal: CurrentUser) -> Principal:
    if principal.kind is not UserKind.client:
        raise InsufficientRole("This is for client accounts.")
    return principal


def ensure_self_or_roles(principal: Principal, owner_user_id: object, *roles: Role) -> None:
    """Object-level check: the row belongs to the caller, or her role may see anyone's.

    Raise 403 only to staff; anyone else learns nothing about rows that are not hers
    (callers turn that into their own 404).
    """
    if principal.user_id == owner_user_id or principal.has_role(*roles):
        return
    raise InsufficientRole("You can only see your own records.")


_ACCOUNT = Rule.of(
    "account: her own; managers any",
    client=Access.own,
    practitioner=Access.own,
    receptionist=Access.own,
    manager=Access.yes,
    owner=Access.yes,
)


@rule(_ACCOUNT)
async def account_for_caller(user_id: UUID, principal: CurrentUser) -> UUID:
    """The account of the path, if it is the caller's or she is a manager: a client learns
    nothing of other accounts (404), staff are told they may not (403)."""
    if principal.user_id == user_id or principal.has_role(*MANAGERS):
        return user_id
    if not principal.is_staff:
        raise UserNotFound()
    raise InsufficientRole("You can only see your own account.")


def is_write(request: Request) -> bool:
    """Whether the request may change what a loader loads (so the loader locks the row)."""
    return request.method not in ("GET", "HEAD")


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


Staff = Annotated[Principal, Depends(require(*ALL_STAFF))]
FrontDesk = Annotated[Principal, Depends(require(*FRONT_DESK))]
Manager = Annotated[Principal, Depends(require(*MANAGERS))]
Owner = Annotated[Principal, Depends(require(Role.owner))]
ClientSelf = Annotated[Principal, Depends(require_client)]
ClientIp = Annotated[str, Depends(client_ip)]
AccountForCaller = Annotated[UUID, Depends(account_for_caller)]
