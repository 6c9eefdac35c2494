"""Logins, tokens, sign-up, password resets and staff accounts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import audit, repository
from app.auth.errors import (
    AccountLocked,
    EmailTaken,
    InvalidCredentials,
    InvalidOneTimeToken,
    InvalidRefreshToken,
    RefreshTokenReused,
    UserNotFound,
)
from app.auth.models import OneTimeToken, RefreshToken, Role, User, UserKind
from app.auth.topics import (
    TOPIC_EMAIL_VERIFICATION,
    TOPIC_PASSWORD_RESET,
    AccountEmailRequested,
)
from app.clients import public as clients
from app.core import outbox, ratelimit
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.db import flush_or_raise, unit_of_work
from app.core.ids import new_id
from app.core.security import (
    create_access_token,
    dummy_password_hash,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)

PASSWORD_RESET = "password_reset"  # noqa: S105 - a token purpose, not a secret
EMAIL_VERIFICATION = "email_verification"
# Client accounts that may wait on one unverified address; a new sign-up pushes out the oldest,
# so nobody can block an address by signing up with it again and again.
MAX_PENDING_SIGNUPS = 5


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def email_key(email: str) -> str:
    return hashlib.sha256(email.lower().encode()).hexdigest()[:32]


async def login(session: AsyncSession, *, email: str, password: str, ip: str) -> TokenPair:
    """Check a password and open a session (a new refresh-token family).

    Failures are counted per e-mail whether or not the account exists, so the lock reveals
    nothing about which e-mails have accounts.
    """
    settings = get_settings().security
    await ratelimit.enforce(
        f"login:ip:{ip}",
        limit=settings.login_ip_limit,
        window_seconds=settings.login_ip_window_seconds,
    )
    key = email_key(email)
    lock = await ratelimit.peek(f"login:lock:{key}")
    if lock.count:
        raise AccountLocked(
            "Too many failed attempts. Try again later or reset your password.",
            headers={"Retry-After": str(lock.retry_after)},
            extra={"retry_after": lock.retry_after},
        )
    user, valid, new_hash = await _account_for_password(session, email, password)
    if user is None or not valid or not user.is_active:
        await _count_failure(key, user, ip)
        raise InvalidCredentials()
    await ratelimit.clear(f"login:fail:{key}")
    if new_hash:
        user.password_hash = new_hash
    user.last_login_at = utcnow()
    await audit.record(session, "auth.login", actor_user_id=user.id, ip=ip)
    return await _issue_tokens(session, user, family_id=new_id())


async def _account_for_password(
    session: AsyncSession, email: str, password: str
) -> tuple[User | None, bool, str | None]:
    """The account this password opens: the one that owns the address, else one of the
    accounts still waiting for it to be verified (each has its own password)."""
    owner = await repository.get_user_by_email(session, email)
    candidates = (
        [owner]
        if owner
        else await repository.pending_users_by_email(session, email, limit=MAX_PENDING_SIGNUPS)
    )
    for user in candidates:
        valid, new_hash = await verify_password(password, user.password_hash)
        if valid:
            return user, True, new_hash
    if not candidates:
        # The dummy hash is made once per process, off the loop too (argon2: ~100 ms).
        await verify_password(password, await to_thread.run_sync(dummy_password_hash))
    return (candidates[0] if candidates else None), False, None


async def _count_failure(key: str, user: User | None, ip: str) -> None:
    settings = get_settings().security
    window = settings.login_lock_minutes * 60
    failures = await ratelimit.incr(f"login:fail:{key}", window)
    if failures.count >= settings.login_max_failures:
        await ratelimit.mark(f"login:lock:{key}", window)
        await ratelimit.clear(f"login:fail:{key}")
        if user is not None:
            # Written in its own transaction: the failed login rolls back the request's.
            async with unit_of_work() as audit_session:
                await audit.record(
                    audit_session,
                    "auth.account_locked",
                    actor_user_id=None,
                    subject_type="user",
                    subject_id=user.id,
                    ip=ip,
                )


async def _issue_tokens(session: AsyncSession, user: User, *, family_id: UUID) -> TokenPair:
    settings = get_settings().security
    now = utcnow()
    refresh = new_token()
    session.add(
        RefreshToken(
            id=new_id(),
            user_id=user.id,
            family_id=family_id,
            token_hash=token_digest(refresh),
            created_at=now,
            expires_at=now + timedelta(days=settings.refresh_token_days),
        )
    )
    access, lifetime = create_access_token(user_id=user.id, kind=user.kind, role=user.role)
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=lifetime)


async def refresh(session: AsyncSession, *, refresh_token: str) -> TokenPair:
    """Rotate a refresh token. Presenting one that was already rotated means it was stolen or
    replayed: the whole family is revoked, so both the thief and the victim must log in again."""
    now = utcnow()
    stored = await repository.refresh_token_for_update(session, token_digest(refresh_token))
    if stored is None or stored.revoked_at is not None or stored.expires_at <= now:
        raise InvalidRefreshToken()
    if stored.rotated_at is not None:
        await repository.revoke_family(session, stored.family_id, now)
        await audit.record(
            session,
            "auth.refresh_token_reused",
            actor_user_id=None,
            subject_type="user",
            subject_id=stored.user_id,
        )
        raise RefreshTokenReused("Log in again: this session has been closed for safety.")
    user = await repository.get_user(session, stored.user_id)
    if user is None or not user.is_active:
        raise InvalidRefreshToken()
    stored.rotated_at = now
    return await _issue_tokens(session, user, family_id=stored.family_id)


async def logout(session: AsyncSession, *, refresh_token: str) -> None:
    """Close the session the refresh token belongs to. Unknown tokens are ignored."""
    stored = await repository.refresh_token_for_update(session, token_digest(refresh_token))
    if stored is not None:
        await repository.revoke_family(session, stored.family_id, utcnow())


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    kind: UserKind,
    role: Role | None,
    first_name: str,
    last_name: str,
) -> User:
    if await repository.get_user_by_email(session, email) is not None:
        raise EmailTaken()
    if kind is UserKind.staff and await repository.pending_users_by_email(session, email, limit=1):
        raise EmailTaken("A client account waits for this e-mail to be verified.")
    now = utcnow()
    user = User(
        id=new_id(),
        email=email.lower(),
        password_hash=await hash_password(password),
        kind=kind.value,
        role=role.value if role else None,
        first_name=first_name,
        last_name=last_name,
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    await flush_or_raise(session, EmailTaken())  # a concurrent staff account, same e-mail
    return user


async def signup_client(
    session: AsyncSession, *, email: str, password: str, first_name: str, last_name: str
) -> tuple[User, TokenPair]:
    """Create a client account, log it in, and send the e-mail verification link.

    The address is not hers until she opens the link: the account starts with a client record
    of its own that nothing is matched to by e-mail, and other accounts may wait on the same
    address (the first to verify it keeps it)."""
    waiting = await repository.pending_users_by_email(session, email)
    await repository.delete_pending_users(
        session, [u.id for u in waiting[MAX_PENDING_SIGNUPS - 1 :]]
    )
    user = await create_user(
        session,
        email=email,
        password=password,
        kind=UserKind.client,
        role=None,
        first_name=first_name,
        last_name=last_name,
    )
    await clients.record_for_new_account(
        session, user_id=user.id, first_name=first_name, last_name=last_name
    )
    await _send_one_time_token(
        session, user, EMAIL_VERIFICATION, TOPIC_EMAIL_VERIFICATION, timedelta(days=7)
    )
    return user, await _issue_tokens(session, user, family_id=new_id())


async def _send_one_time_token(
    session: AsyncSession,
    user: User,
    purpose: str,
    topic: outbox.Topic[AccountEmailRequested],
    lifetime: timedelta,
) -> None:
    token = new_token()
    now = utcnow()
    session.add(
        OneTimeToken(
            id=new_id(),
            user_id=user.id,
            purpose=purpose,
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    await outbox.enqueue(
        session,
        topic,
        {"user_id": user.id, "email": user.email, "first_name": user.first_name},
        sealed={"token": token},
    )


async def request_password_reset(session: AsyncSession, *, email: str, ip: str) -> None:
    """Send a reset link if the account exists. The answer is the same either way."""
    await ratelimit.limit_public_flow("password_reset", address=ip, contacts=(email,))
    # Nobody owns the address yet: the newest account waiting on it gets the link, and
    # resetting proves the mailbox like a verification does.
    user = await repository.get_user_by_email(session, email) or next(
        iter(await repository.pending_users_by_email(session, email, limit=1)), None
    )
    if user is None or not user.is_active:
        return
    minutes = get_settings().security.password_reset_minutes
    await _send_one_time_token(
        session, user, PASSWORD_RESET, TOPIC_PASSWORD_RESET, timedelta(minutes=minutes)
    )


async def _use_one_time_token(session: AsyncSession, token: str, purpose: str) -> User:
    digest = token_digest(token)
    found = await repository.one_time_token(session, digest, purpose)
    user = await repository.get_user(session, found.user_id) if found else None
    if user is None:
        raise InvalidOneTimeToken()
    # The accounts of the address are locked before the token: of two links for one address
    # opened at once, the second waits, and finds its token gone if the first removed it.
    await repository.lock_users_with_email(session, user.email)
    stored = await repository.one_time_token(session, digest, purpose, lock=True)
    now = utcnow()
    if stored is None or stored.used_at is not None or stored.expires_at <= now:
        raise InvalidOneTimeToken()
    stored.used_at = now
    if not user.is_active:
        raise InvalidOneTimeToken()
    return user


async def _claim_email(session: AsyncSession, user: User) -> None:
    """She proved the mailbox: the address becomes hers, the other accounts waiting on it are
    removed, and her account reaches the client record with that e-mail."""
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        await flush_or_raise(session, InvalidOneTimeToken())  # a staff account has it
        losers = [u.id for u in await repository.pending_users_by_email(session, user.email)]
        if losers:
            await repository.delete_pending_users(session, losers)
            await audit.record(
                session,
                "auth.pending_accounts_removed",
                actor_user_id=user.id,
                subject_type="user",
                subject_id=user.id,
                data={"removed": len(losers)},
            )
    if user.kind == UserKind.client:
        await clients.link_account(
            session,
            user_id=user.id,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
        )


async def reset_password(session: AsyncSession, *, token: str, new_password: str) -> None:
    """Set a new password from a reset link; every open session of the account is closed."""
    user = await _use_one_time_token(session, token, PASSWORD_RESET)
    user.password_hash = await hash_password(new_password)
    user.updated_at = user.sessions_valid_after = utcnow()
    await _claim_email(session, user)  # proving control of the mailbox also verifies it
    await repository.revoke_all_for_user(session, user.id, utcnow())
    await ratelimit.clear(f"login:lock:{email_key(user.email)}")
    await audit.record(
        session,
        "auth.password_reset",
        actor_user_id=user.id,
        subject_type="user",
        subject_id=user.id,
    )


async def verify_email(session: AsyncSession, *, token: str) -> None:
    """Open a verification link: the address is proven, and only now linked to her record."""
    user = await _use_one_time_token(session, token, EMAIL_VERIFICATION)
    await _claim_email(session, user)


async def get_user(session: AsyncSession, user_id: UUID) -> User:
    user = await repository.get_user(session, user_id)
    if user is None:
        raise UserNotFound()
    return user
