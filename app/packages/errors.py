"""The packages domain's errors (their codes never change once shipped)."""

from __future__ import annotations

from app.core.errors import AppError


class OfferNotFound(AppError):
    status, code, title = 404, "package_offer_not_found", "No package offer has this id"


class PackageNotFound(AppError):
    status, code, title = 404, "package_not_found", "No package has this id"


class OfferNotSold(AppError):
    status, code, title = 409, "package_offer_not_sold", "This package is not for sale"


class MixedVatRates(AppError):
    status, code, title = 422, "package_mixed_vat_rates", "A package's services share one VAT rate"


class UnknownServices(AppError):
    status, code, title = 422, "package_unknown_services", "A covered service does not exist"


class PackageNeedsClient(AppError):
    status, code, title = 422, "package_needs_client", "A package is sold to a known client"


class PackageNotRefundable(AppError):
    status, code, title = 409, "package_not_refundable", "This package cannot be refunded"


class PackageHasReservations(AppError):
    status, code, title = 409, "package_has_reservations", "Sessions are booked on this package"


class RefundAtTill(AppError):
    status, code, title = (
        409,
        "package_refund_at_till",
        "A package sold at the till is refunded at the till",
    )


class RefundThroughPackage(AppError):
    status, code, title = (
        409,
        "package_refund_through_package",
        "Refund a package's unused sessions through the package",
    )
