from __future__ import annotations

from app.core.errors import AppError


class RegisterNotFound(AppError):
    status, code, title = 404, "register_not_found", "This till does not exist"


class RegisterNameTaken(AppError):
    status, code, title = 409, "register_name_taken", "A till already has this name"


class RegisterAlreadyOpen(AppError):
    status, code, title = 409, "register_already_open", "This till is already open"


class RegisterNotOpen(AppError):
    status, code, title = 409, "register_not_open", "This till is not open"


class TicketNotFound(AppError):
    status, code, title = 404, "ticket_not_found", "No ticket in the journal has this id"


class OrderNotFound(AppError):
    status, code, title = 404, "order_not_found", "This order does not exist"


class OrderNotOpen(AppError):
    status, code, title = 409, "order_not_open", "This order is completed or cancelled"


class OrderNotPaid(AppError):
    status, code, title = 409, "order_not_paid", "Something is still due on this order"


class PaymentInProgress(AppError):
    status, code, title = 409, "payment_in_progress", "A payment of this order is in progress"


class OrderHasPayments(AppError):
    status, code, title = 409, "order_has_payments", "Money was taken for this order"


class RegisterRequired(AppError):
    status, code, title = 422, "register_required", "Name the till of this order"


class ProductNotSold(AppError):
    status, code, title = 422, "product_not_sold", "No product on sale has this id or barcode"


class ServiceNotSold(AppError):
    status, code, title = 422, "service_not_sold", "No active service has this id"


class ClientMismatch(AppError):
    status, code, title = 422, "client_mismatch", "The booking is another client's"


class DiscountAboveLimit(AppError):
    status, code, title = 403, "discount_above_limit", "This discount needs a manager"


class DiscountTooLarge(AppError):
    status, code, title = 422, "discount_too_large", "A discount cannot exceed what it discounts"


class NotInTraining(AppError):
    status, code, title = 422, "not_in_training", "The training mode does not do this"


class RefundAtTheTill(AppError):
    status, code, title = 409, "refund_at_the_till", "Refund a sale with a credit ticket"


class NothingToReturn(AppError):
    status, code, title = 422, "nothing_to_return", "These lines cannot be given back"


class NotATicket(AppError):
    status, code, title = 409, "not_a_ticket", "Only a ticket of an order can be refunded"


class CreditAboveLimit(AppError):
    status, code, title = 403, "credit_above_limit", "This credit ticket needs a manager"


class OnAccountStaffOnly(AppError):
    status, code, title = 403, "on_account_staff_only", "Only a manager sells on account"


class OnAccountNeedsBusinessClient(AppError):
    status, code, title = (
        409,
        "on_account_needs_business_client",
        "Only a business client's order can be sold on account",
    )


class SoldOnAccount(AppError):
    status, code, title = (
        409,
        "sold_on_account",
        "A sale on account is corrected by a credit note on its invoice",
    )
