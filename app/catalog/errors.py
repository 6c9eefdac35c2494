from __future__ import annotations

from app.core.errors import AppError


class ServiceNotFound(AppError):
    status, code, title = 404, "service_not_found", "This service does not exist"


class CategoryNotFound(AppError):
    status, code, title = 404, "category_not_found", "This category does not exist"


class CategoryNameTaken(AppError):
    status, code, title = 409, "category_name_taken", "A category already has this name"


class ProductNotFound(AppError):
    status, code, title = 404, "product_not_found", "This product does not exist"


class SkuTaken(AppError):
    status, code, title = 409, "sku_taken", "A product already has this SKU"


class BarcodeTaken(AppError):
    status, code, title = 409, "barcode_taken", "A product already has this barcode"


class UnknownResource(AppError):
    status, code, title = 422, "unknown_resource", "A resource given does not exist"


class UnknownService(AppError):
    status, code, title = 422, "unknown_service", "A service given does not exist"
