from __future__ import annotations

from app.core.errors import AppError


class StockProductNotFound(AppError):
    status, code, title = 404, "stock_product_not_found", "This product does not exist"


class StockServiceNotFound(AppError):
    status, code, title = 404, "stock_service_not_found", "This service does not exist"


class InsufficientStock(AppError):
    status, code, title = 409, "insufficient_stock", "Not enough of this product in stock"


class UnitLocked(AppError):
    status, code, title = (
        409,
        "stock_unit_locked",
        "The stock unit of a product with movements cannot change",
    )


class SupplierNotFound(AppError):
    status, code, title = 404, "supplier_not_found", "This supplier does not exist"


class SupplierNameTaken(AppError):
    status, code, title = 409, "supplier_name_taken", "A supplier already has this name"


class PurchaseOrderNotFound(AppError):
    status, code, title = 404, "purchase_order_not_found", "This purchase order does not exist"


class PurchaseOrderClosed(AppError):
    status, code, title = (
        409,
        "purchase_order_closed",
        "This purchase order is fully received or cancelled",
    )


class OverReceipt(AppError):
    status, code, title = 409, "over_receipt", "More received than ordered"


class CountNotFound(AppError):
    status, code, title = 404, "stock_count_not_found", "This stock count does not exist"


class CountAlreadyOpen(AppError):
    status, code, title = 409, "stock_count_already_open", "Another stock count is open"


class CountClosed(AppError):
    status, code, title = 409, "stock_count_closed", "This stock count is closed"


class NotOnCount(AppError):
    status, code, title = 422, "stock_not_on_count", "A product given is not on this count"
