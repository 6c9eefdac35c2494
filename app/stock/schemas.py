"""The stock API's request and response bodies. Quantities are integers: in the product's
stock unit (`piece`, `ml`, `g`), except sales, returns and purchase orders, which count
packs (one bottle of `pack_size` units); docs/stock.md."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.timeutils import SalonDateTime
from app.stock import counts, service
from app.stock.models import ReferenceKind, StockItem

MAX_QUANTITY = 1_000_000
MAX_COST = 10_000_000
Quantity = Field(gt=0, le=MAX_QUANTITY)


def unique(product_ids: list[UUID]) -> None:
    if len(set(product_ids)) != len(product_ids):
        raise ValueError("a product appears twice")


class StockItemIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "unit": "ml",
                "pack_size": 50,
                "low_threshold": 100,
                "allow_negative": False,
            }
        }
    )

    unit: Literal["piece", "ml", "g"] = "piece"
    pack_size: int = Field(default=1, gt=0, le=100_000, description="Units in one pack")
    low_threshold: int | None = Field(
        default=None, ge=0, le=MAX_QUANTITY, description="At or under it, one staff e-mail"
    )
    allow_negative: bool = Field(default=False, description="Sales may take it below zero")


class StockItemOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "01930000-0000-7000-8000-000000000001",
                "product_id": "01930000-0000-7000-8000-000000000001",
                "unit": "piece",
                "pack_size": 1,
                "on_hand": 12,
                "value_cents": 10800,
                "average_pack_cost_cents": 900,
                "low_threshold": 3,
                "low": False,
                "allow_negative": False,
                "updated_at": "2027-03-22T09:00:00+01:00",
            }
        }
    )

    id: UUID = Field(description="The product's id")
    product_id: UUID
    unit: str
    pack_size: int
    on_hand: int
    value_cents: int
    average_pack_cost_cents: int | None
    low_threshold: int | None
    low: bool
    allow_negative: bool
    updated_at: SalonDateTime

    @classmethod
    def of(cls, item: StockItem) -> StockItemOut:
        low = item.low_threshold is not None and item.on_hand <= item.low_threshold
        return cls(
            id=item.product_id,
            product_id=item.product_id,
            unit=item.unit,
            pack_size=item.pack_size,
            on_hand=item.on_hand,
            value_cents=item.value_cents,
            average_pack_cost_cents=service.average_pack_cost(item),
            low_threshold=item.low_threshold,
            low=low,
            allow_negative=item.allow_negative,
            updated_at=item.updated_at,
        )


class StockValueOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"example": {"products": 42, "value_cents": 183450, "currency": "EUR"}}
    )

    products: int
    value_cents: int
    currency: str


class MovementOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "example": {
                "id": "01930000-0000-7000-8000-000000000002",
                "product_id": "01930000-0000-7000-8000-000000000001",
                "cause": "sale",
                "quantity": -1,
                "value_cents": -900,
                "unit_cost_cents": None,
                "on_hand_after": 11,
                "value_after_cents": 9900,
                "reason": None,
                "reference_kind": "ticket",
                "reference_id": "01930000-0000-7000-8000-000000000003",
                "supplier_id": None,
                "actor_user_id": None,
                "at": "2027-03-22T09:00:00+01:00",
            }
        },
    )

    id: UUID
    product_id: UUID
    cause: str
    quantity: int = Field(description="Signed, in stock units")
    value_cents: int = Field(description="The change of the stock's value")
    unit_cost_cents: int | None = Field(description="A delivery's cost of one pack")
    on_hand_after: int
    value_after_cents: int
    reason: str | None
    reference_kind: str | None
    reference_id: UUID | None
    supplier_id: UUID | None
    actor_user_id: UUID | None
    at: SalonDateTime


class MovementsOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"movements": []}})

    movements: list[MovementOut]


class DeskMovementIn(BaseModel):
    """What the front desk records: a sale or a return (in packs), a use in a treatment or a
    breakage (in stock units)."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "cause": "sale",
                "product_id": "01930000-0000-7000-8000-000000000001",
                "quantity": 1,
                "reference_kind": "ticket",
                "reference_id": "01930000-0000-7000-8000-000000000003",
            }
        }
    )

    cause: Literal["sale", "return", "treatment", "breakage"]
    product_id: UUID
    quantity: int = Quantity
    resellable: bool = Field(default=True, description="A return only")
    reason: str | None = Field(default=None, max_length=500)
    reference_kind: Literal["ticket", "order", "booking"] | None = None
    reference_id: UUID | None = None

    @model_validator(mode="after")
    def _reference(self) -> DeskMovementIn:
        if (self.reference_kind is None) != (self.reference_id is None):
            raise ValueError("give both `reference_kind` and `reference_id`, or neither")
        return self

    def reference(self) -> service.Reference | None:
        if self.reference_kind is None or self.reference_id is None:
            return None
        return service.Reference(ReferenceKind(self.reference_kind), self.reference_id)


class AdjustmentIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "product_id": "01930000-0000-7000-8000-000000000001",
                "quantity": -2,
                "reason": "Testeurs ouverts pour la vitrine",
            }
        }
    )

    product_id: UUID
    quantity: int = Field(ge=-MAX_QUANTITY, le=MAX_QUANTITY, description="Signed, stock units")
    reason: str = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _not_zero(self) -> AdjustmentIn:
        if self.quantity == 0:
            raise ValueError("an adjustment moves at least one unit")
        return self


class RecipeLineIn(BaseModel):
    product_id: UUID
    quantity: int = Field(gt=0, le=MAX_QUANTITY, description="Stock units per service")


class RecipeIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "lines": [{"product_id": "01930000-0000-7000-8000-000000000001", "quantity": 5}]
            }
        }
    )

    lines: list[RecipeLineIn] = Field(max_length=50)

    @model_validator(mode="after")
    def _distinct(self) -> RecipeIn:
        unique([line.product_id for line in self.lines])
        return self


class RecipeLineOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "example": {
                "id": "01930000-0000-7000-8000-000000000004",
                "service_id": "01930000-0000-7000-8000-000000000005",
                "product_id": "01930000-0000-7000-8000-000000000001",
                "quantity": 5,
            }
        },
    )

    id: UUID
    service_id: UUID
    product_id: UUID
    quantity: int


class RecipeOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"service_id": "01930000-0000-7000-8000-000000000005", "lines": []}
        }
    )

    service_id: UUID
    lines: list[RecipeLineOut]


class CountIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"note": "Inventaire de fin d'année"}})

    product_ids: list[UUID] | None = Field(
        default=None, max_length=2000, description="Every stocked product when absent"
    )
    note: str | None = Field(default=None, max_length=500)


class CountEntryIn(BaseModel):
    product_id: UUID
    counted: int = Field(ge=0, le=MAX_QUANTITY, description="Stock units found")


class CountEntriesIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "entries": [{"product_id": "01930000-0000-7000-8000-000000000001", "counted": 11}]
            }
        }
    )

    entries: list[CountEntryIn] = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _distinct(self) -> CountEntriesIn:
        unique([entry.product_id for entry in self.entries])
        return self


class CountLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    product_id: UUID
    expected: int
    counted: int | None
    counted_at: SalonDateTime | None
    difference: int | None
    value_cents: int | None = Field(description="The value the difference added or took")


class CountSummaryOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "example": {
                "id": "01930000-0000-7000-8000-000000000006",
                "status": "open",
                "note": None,
                "opened_at": "2027-03-22T09:00:00+01:00",
                "closed_at": None,
            }
        },
    )

    id: UUID
    status: str
    note: str | None
    opened_at: SalonDateTime
    closed_at: SalonDateTime | None


class CountOut(CountSummaryOut):
    lines: list[CountLineOut]

    @classmethod
    def of(cls, sheet: counts.CountSheet) -> CountOut:
        summary = CountSummaryOut.model_validate(sheet.count)
        lines = [CountLineOut.model_validate(line) for line in sheet.lines]
        return cls(**dict(summary), lines=lines)


class CountReportOut(CountOut):
    counted: int
    not_counted: int
    difference_value_cents: int

    @classmethod
    def of_report(cls, report: counts.CountReport) -> CountReportOut:
        sheet = CountOut.of(counts.CountSheet(report.count, report.lines))
        return cls(
            **dict(sheet),
            counted=report.counted,
            not_counted=report.not_counted,
            difference_value_cents=report.difference_value_cents,
        )
