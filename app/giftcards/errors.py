"""What the gift card routes and flows answer when they refuse."""

from __future__ import annotations

from app.core.errors import AppError


class GiftCardNotFound(AppError):
    status, code, title = 404, "gift_card_not_found", "No gift card has this code"


class InvalidGiftCardCode(AppError):
    status, code, title = 422, "invalid_gift_card_code", "This is not a valid gift card code"


class GiftCardNotUsable(AppError):
    status, code, title = 409, "gift_card_not_usable", "This gift card cannot be used"


class GiftCardPdfNotForStaff(AppError):
    status, code = 403, "gift_card_pdf_not_for_staff"
    title = "The PDF of a card bought online goes only to its buyer or recipient"


class GiftCardExpired(AppError):
    status, code, title = 409, "gift_card_expired", "This gift card has expired"


class InsufficientBalance(AppError):
    status, code, title = 409, "insufficient_balance", "The gift card does not hold that much"


class GiftCardPartlySpent(AppError):
    status, code, title = (
        409,
        "gift_card_partly_spent",
        ("Only the unspent part of this gift card can be refunded"),
    )


class InvalidGiftCardAmount(AppError):
    status, code, title = 422, "invalid_gift_card_amount", "Choose an amount or services"
