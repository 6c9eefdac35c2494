from __future__ import annotations

from app.core.errors import AppError


class InvalidCredentials(AppError):
    status, code, title = 401, "invalid_credentials", "E-mail or password is incorrect"


class AccountLocked(AppError):
    status, code, title = 429, "account_locked", "Too many failed logins: the account is locked"


class InvalidAccessToken(AppError):
    status, code, title = 401, "invalid_token", "The access token is missing, invalid or expired"


class AccessTokenExpired(AppError):
    status, code, title = 401, "token_expired", "The access token has expired: refresh it"


class InvalidRefreshToken(AppError):
    status, code, title = 401, "invalid_refresh_token", "The refresh token is invalid or expired"


class RefreshTokenReused(AppError):
    status, code, title = 401, "refresh_token_reused", "This refresh token was already used"
    keep_changes = True  # the revocation of the whole family must be committed


class InsufficientRole(AppError):
    status, code, title = 403, "insufficient_role", "Your role does not allow this"


class OwnerOnly(AppError):
    status, code, title = 403, "owner_only", "Only the owner can do this"


class EmailTaken(AppError):
    status, code, title = 409, "email_taken", "An account already uses this e-mail"


class InvalidOneTimeToken(AppError):
    status, code, title = 400, "invalid_token_link", "This link is invalid, used or expired"


class UserNotFound(AppError):
    status, code, title = 404, "user_not_found", "This user does not exist"
