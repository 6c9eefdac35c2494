"""The reports' answers. Amounts are integer cents, VAT included unless named `excl_vat`;
instants are in the salon's zone with their offset."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict
from pydantic.config import JsonDict

from app.core.timeutils import SalonDateTime

GroupByName = Literal["day", "tender", "vat_rate", "category", "product", "practitioner"]
ItemKindName = Literal["service", "product"]
ROW_EXAMPLE: JsonDict = {
    "key": "2026-12-01",
    "label": "01/12/2026",
    "ticket_count": 12,
    "correction_count": 1,
    "quantity": None,
    "total_excl_vat_cents": 70000,
    "vat_cents": 14000,
    "total_incl_vat_cents": 84000,
}


class ReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SalesRowOut(ReportOut):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"example": ROW_EXAMPLE},
    )

    key: str
    label: str
    ticket_count: int
    correction_count: int
    quantity: int | None
    total_excl_vat_cents: int | None
    vat_cents: int | None
    total_incl_vat_cents: int


class SalesReportOut(ReportOut):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "example": {
                "date_from": "2026-12-01",
                "date_to": "2026-12-31",
                "group_by": "day",
                "rows": [ROW_EXAMPLE],
                "totals": ROW_EXAMPLE | {"key": "total", "label": "Total"},
            }
        },
    )

    date_from: date
    date_to: date
    group_by: GroupByName
    rows: list[SalesRowOut]
    totals: SalesRowOut


class BestSellersOut(ReportOut):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "example": {
                "date_from": "2026-12-01",
                "date_to": "2026-12-31",
                "kind": "service",
                "rows": [
                    {
                        "key": "0193a0c4-8f1e-7c2a-9b7e-2f4d5e6a7b8c",
                        "label": "Soin éclat du visage",
                        "ticket_count": 9,
                        "correction_count": 0,
                        "quantity": 9,
                        "total_excl_vat_cents": 45000,
                        "vat_cents": 9000,
                        "total_incl_vat_cents": 54000,
                    }
                ],
            }
        },
    )

    date_from: date
    date_to: date
    kind: ItemKindName
    rows: list[SalesRowOut]


class StockMovementRowOut(ReportOut):
    product_id: UUID
    product: str
    unit: str
    cause: str
    cause_label: str
    movements: int
    quantity: int
    value_cents: int


class StockMovementsReportOut(ReportOut):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "example": {
                "date_from": "2026-12-01",
                "date_to": "2026-12-31",
                "rows": [
                    {
                        "product_id": "0193a0c4-8f1e-7c2a-9b7e-2f4d5e6a7b8c",
                        "product": "Shampoing doux",
                        "unit": "piece",
                        "cause": "sale",
                        "cause_label": "Vente",
                        "movements": 3,
                        "quantity": -4,
                        "value_cents": -3200,
                    }
                ],
                "value_cents": -3200,
            }
        },
    )

    date_from: date
    date_to: date
    rows: list[StockMovementRowOut]
    value_cents: int


class CashDifferenceOut(ReportOut):
    session_id: UUID
    register_id: UUID
    till: str
    opened_at: SalonDateTime
    closed_at: SalonDateTime
    expected_cents: int
    counted_cents: int
    difference_cents: int
    closed_by_user_id: UUID | None
    closed_by: str | None


class CashDifferencesOut(ReportOut):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "example": {
                "date_from": "2026-12-01",
                "date_to": "2026-12-31",
                "rows": [
                    {
                        "session_id": "0193a0c4-8f1e-7c2a-9b7e-2f4d5e6a7b8c",
                        "register_id": "0193a0c4-8f1e-7c2a-9b7e-2f4d5e6a7b8d",
                        "till": "Accueil",
                        "opened_at": "2026-12-01T09:00:00+01:00",
                        "closed_at": "2026-12-01T19:05:00+01:00",
                        "expected_cents": 26110,
                        "counted_cents": 26000,
                        "difference_cents": -110,
                        "closed_by_user_id": "0193a0c4-8f1e-7c2a-9b7e-2f4d5e6a7b8e",
                        "closed_by": "Agathe Martin",
                    }
                ],
                "difference_cents": -110,
            }
        },
    )

    date_from: date
    date_to: date
    rows: list[CashDifferenceOut]
    difference_cents: int
