from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, status
from fastapi.security import OAuth2PasswordRequestForm

from app.auth import repository, service, staff
from app.auth.dependencies import AccountForCaller, ClientIp, CurrentUser, Manager
from app.auth.errors import (
    AccessTokenExpired,
    AccountLocked,
    EmailTaken,
    InsufficientRole,
    InvalidAccessToken,
    InvalidCredentials,
    InvalidOneTimeToken,
    InvalidRefreshToken,
    OwnerOnly,
    RefreshTokenReused,
    UserNotFound,
)
from app.auth.limits import limit_visitor
from app.auth.models import AuditLogEntry, Role, User, UserKind
from app.auth.schemas import (
    AuditEntryOut,
    EmailVerificationIn,
    PasswordResetConfirmIn,
    PasswordResetRequestIn,
    RefreshIn,
    SignupIn,
    SignupOut,
    StaffCreate,
    StaffUpdate,
    TokenOut,
    UserOut,
)
from app.core.db import DbSession
from app.core.errors import RateLimited, error_responses
from app.core.pagination import Page, Pagination, paginate
from app.referrals import public as referrals

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
users_router = APIRouter(prefix="/api/v1/users", tags=["users"])
audit_router = APIRouter(prefix="/api/v1/audit-log", tags=["audit"])

_AUTH = (InvalidAccessToken, AccessTokenExpired, InsufficientRole)


def _tokens(pair: service.TokenPair) -> TokenOut:
    return TokenOut(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in
    )


@router.post(
    "/token",
    responses=error_responses(InvalidCredentials, AccountLocked, RateLimited),
)
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], session: DbSession, ip: ClientIp
) -> TokenOut:
    """Log in with the OAuth2 password form (`username` is the e-mail)."""
    pair = await service.login(session, email=form.username, password=form.password, ip=ip)
    return _tokens(pair)


@router.post(
    "/refresh",
    responses=error_responses(InvalidRefreshToken, RefreshTokenReused),
)
async def refresh(body: RefreshIn, session: DbSession) -> TokenOut:
    """Swap a refresh token for a new pair. Each refresh token works once."""
    return _tokens(await service.refresh(session, refresh_token=body.refresh_token))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(body: RefreshIn, session: DbSession) -> None:
    """Close the session of this refresh token (its access tokens expire on their own)."""
    await service.logout(session, refresh_token=body.refresh_token)


@router.get("/me", responses=error_responses(*_AUTH))
async def me(principal: CurrentUser, session: DbSession) -> UserOut:
    return UserOut.model_validate(await service.get_user(session, principal.user_id))


@router.post(
    "/signup",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(EmailTaken, RateLimited, referrals.UnknownReferralCode),
)
async def signup(body: SignupIn, session: DbSession, ip: ClientIp) -> SignupOut:
    """Create a client account for the public site; a verification link is e-mailed.
    Limited per address and per e-mail (429).

    The account reaches nothing held under its e-mail until the link is opened. An address
    no account has verified stays open to other sign-ups (the first to verify keeps it);
    a verified one answers 409 `email_taken`."""
    await limit_visitor("signup", None, ip, str(body.email))
    if body.referral_code is not None:
        await referrals.check_code(session, body.referral_code)
    user, pair = await service.signup_client(
        session,
        email=str(body.email),
        password=body.password,
        first_name=body.first_name,
        last_name=body.last_name,
    )
    if body.referral_code is not None:
        await referrals.claim_on_signup(session, user_id=user.id, code=body.referral_code)
    return SignupOut(user=UserOut.model_validate(user), **_tokens(pair).model_dump())


@router.post(
    "/password-reset/request",
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(RateLimited),
)
async def request_password_reset(
    body: PasswordResetRequestIn, session: DbSession, ip: ClientIp
) -> None:
    """E-mail a reset link if an account has this address (the answer never tells)."""
    await service.request_password_reset(session, email=str(body.email), ip=ip)


@router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(InvalidOneTimeToken),
)
async def confirm_password_reset(body: PasswordResetConfirmIn, session: DbSession) -> None:
    await service.reset_password(session, token=body.token, new_password=body.new_password)


@router.post(
    "/verify-email",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(InvalidOneTimeToken),
)
async def verify_email(body: EmailVerificationIn, session: DbSession) -> None:
    await service.verify_email(session, token=body.token)


@users_router.get("", responses=error_responses(*_AUTH))
async def list_users(
    _: Manager,
    session: DbSession,
    page: Pagination,
    kind: UserKind = UserKind.staff,
    role: Role | None = None,
) -> Page[UserOut]:
    return await paginate(
        session,
        repository.users_query(kind=kind, role=role),
        order_by=(User.id,),
        params=page,
        to_item=UserOut.model_validate,
    )


@users_router.post(
    "", status_code=status.HTTP_201_CREATED, responses=error_responses(*_AUTH, EmailTaken)
)
async def create_staff_user(body: StaffCreate, actor: Manager, session: DbSession) -> UserOut:
    user = await staff.create_staff(
        session,
        actor,
        email=str(body.email),
        password=body.password,
        role=body.role,
        first_name=body.first_name,
        last_name=body.last_name,
    )
    return UserOut.model_validate(user)


@users_router.get("/{user_id}", responses=error_responses(*_AUTH, UserNotFound))
async def get_user(user_id: AccountForCaller, session: DbSession) -> UserOut:
    """One account: managers see anyone's, everyone else only her own."""
    return UserOut.model_validate(await service.get_user(session, user_id))


@users_router.patch("/{user_id}", responses=error_responses(*_AUTH, UserNotFound, OwnerOnly))
async def update_staff_user(
    user_id: UUID, body: StaffUpdate, actor: Manager, session: DbSession
) -> UserOut:
    user = await staff.update_staff(session, actor, user_id, **body.model_dump())
    return UserOut.model_validate(user)


@users_router.post(
    "/{user_id}/unlock",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(*_AUTH, UserNotFound),
)
async def unlock_user(user_id: UUID, actor: Manager, session: DbSession) -> None:
    """Lift the temporary lock that repeated failed logins put on an account."""
    await staff.unlock(session, actor, user_id)


@audit_router.get("", responses=error_responses(*_AUTH))
async def list_audit_log(
    _: Manager,
    session: DbSession,
    page: Pagination,
    subject_type: str | None = None,
    subject_id: str | None = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[AuditEntryOut]:
    """The most recent entries first."""
    return await paginate(
        session,
        repository.audit_query(subject_type=subject_type, subject_id=subject_id, action=action),
        order_by=(AuditLogEntry.at, AuditLogEntry.id),
        params=page,
        descending=True,
        to_item=AuditEntryOut.model_validate,
    )
