"""What other domains may use from the reports (a scheduled report, an export): the reports
themselves, as DTOs."""

from __future__ import annotations

from app.reports.service import (
    BestSellers,
    CashDifferencesReport,
    SalesReport,
    StockMovementsReport,
    best_sellers,
    cash_differences,
    sales_report,
    stock_movements_report,
)

__all__ = [
    "BestSellers",
    "CashDifferencesReport",
    "SalesReport",
    "StockMovementsReport",
    "best_sellers",
    "cash_differences",
    "sales_report",
    "stock_movements_report",
]
