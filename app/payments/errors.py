from __future__ import annotations

from app.core.errors import AppError, InvalidWebhookSignature, WebhookNotConfigured
from app.integrations.gateway import ProviderRefused, ProviderUnavailable, ReaderBusy, ReaderOffline

# InvalidWebhookSignature and WebhookNotConfigured are shared with the other webhooks; the
# errors a provider raises are defined with the gateways (app/integrations/gateway.py).
__all__ = [
    "InvalidWebhookSignature",
    "ProviderRefused",
    "ProviderUnavailable",
    "ReaderBusy",
    "ReaderOffline",
    "WebhookNotConfigured",
]


class PaymentNotFound(AppError):
    status, code, title = 404, "payment_not_found", "This payment does not exist"


class NothingToPay(AppError):
    status, code, title = 409, "nothing_to_pay", "There is nothing left to pay"


class DepositNotDue(AppError):
    status, code, title = 409, "deposit_not_due", "This booking has no deposit to pay now"


class DepositAlreadyPaid(AppError):
    status, code, title = 409, "deposit_already_paid", "The deposit of this booking is paid"


class TipNotAllowed(AppError):
    status, code, title = 422, "tip_not_allowed", "Nobody served this: it takes no tip"


class AmountExceedsBalance(AppError):
    status, code, title = 422, "amount_exceeds_balance", "The amount is more than what is due"


class RefundExceedsPayment(AppError):
    status, code, title = 422, "refund_exceeds_payment", "The refund is more than what is left"


class RefundAboveReceptionistLimit(AppError):
    status, code, title = (
        403,
        "refund_above_receptionist_limit",
        "This refund is above what reception may refund: ask a manager",
    )


class PaymentNotRefundable(AppError):
    status, code, title = 409, "payment_not_refundable", "This payment cannot be refunded"


class PaymentNotCancellable(AppError):
    status, code, title = 409, "payment_not_cancellable", "This payment can no longer be cancelled"


class PaymentNotCapturable(AppError):
    status, code, title = 409, "payment_not_capturable", "This payment cannot be captured"


class MethodNotAllowed(AppError):
    status, code, title = 422, "payment_method_not_allowed", "This method cannot be used here"


class ReaderRequired(AppError):
    status, code, title = 422, "reader_required", "Choose the card reader to use"


class ReaderNotFound(AppError):
    status, code, title = 404, "reader_not_found", "This card reader does not exist"


class InvalidWebhookPayload(AppError):
    status, code, title = 400, "invalid_webhook_payload", "The webhook body is not valid"


class NoSavedCard(AppError):
    status, code, title = 409, "no_saved_card", "The client has no saved card to charge"


class FeeNotAllowed(AppError):
    status, code, title = (
        409,
        "fee_not_allowed",
        "A fee can only follow a no-show or late cancellation",
    )


class SimulationNotAvailable(AppError):
    status, code, title = 404, "simulation_not_available", "Only console payments can be simulated"


class PayoutNotFound(AppError):
    status, code, title = 404, "payout_not_found", "This payout does not exist"


class PayoutAlreadyRecorded(AppError):
    status, code, title = (
        409,
        "payout_already_recorded",
        "This provider's payout is already recorded",
    )


class PayoutArrivalInFuture(AppError):
    status, code, title = (
        422,
        "payout_arrival_in_future",
        "A payout is recorded once it has reached the bank",
    )
