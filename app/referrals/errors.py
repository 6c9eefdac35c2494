"""The referrals domain's errors (their codes never change once shipped)."""

from __future__ import annotations

from app.core.errors import AppError


class UnknownReferralCode(AppError):
    status, code, title = 422, "unknown_referral_code", "This referral code does not exist"


class AlreadyReferred(AppError):
    status, code, title = 409, "already_referred", "This client already came with a referral code"
