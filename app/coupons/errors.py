from __future__ import annotations

from app.core.errors import AppError


class CouponRefused(AppError):
    status, code, title = 409, "coupon_not_applicable", "This code does not apply"
