"""The request and response bodies of suppliers and purchase orders. Lines count packs, at a
cost per pack without VAT (docs/stock.md)."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.timeutils import SalonDateTime
from app.stock import purchasing
from app.stock.schemas import MAX_COST, MAX_QUANTITY, unique


class SupplierFields(BaseModel):
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, max_length=2000)
    is_active: bool = True


class SupplierIn(SupplierFields):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"name": "Cosmétiques du Rhône", "email": "commandes@cdr.example"}
        }
    )

    name: str = Field(min_length=1, max_length=160)


class SupplierUpdate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"phone": "+33478000001"}})

    name: str | None = Field(default=None, min_length=1, max_length=160)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, max_length=2000)
    is_active: bool | None = None


class SupplierOut(SupplierIn):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    created_at: SalonDateTime


class OrderLineIn(BaseModel):
    product_id: UUID
    quantity: int = Field(gt=0, le=MAX_QUANTITY, description="Packs")
    unit_cost_cents: int = Field(ge=0, le=MAX_COST, description="One pack, without VAT")


class PurchaseOrderIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "supplier_id": "01930000-0000-7000-8000-000000000007",
                "reference": "BC-2027-031",
                "lines": [
                    {
                        "product_id": "01930000-0000-7000-8000-000000000001",
                        "quantity": 12,
                        "unit_cost_cents": 850,
                    }
                ],
            }
        }
    )

    supplier_id: UUID
    reference: str | None = Field(default=None, max_length=64)
    note: str | None = Field(default=None, max_length=2000)
    lines: list[OrderLineIn] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _distinct(self) -> PurchaseOrderIn:
        unique([line.product_id for line in self.lines])
        return self

    def order_lines(self) -> list[purchasing.OrderLineIn]:
        return [
            purchasing.OrderLineIn(line.product_id, line.quantity, line.unit_cost_cents)
            for line in self.lines
        ]


class ReceiptLineIn(BaseModel):
    product_id: UUID
    quantity: int = Field(gt=0, le=MAX_QUANTITY, description="Packs received")
    unit_cost_cents: int | None = Field(
        default=None, ge=0, le=MAX_COST, description="When the invoice differs from the order"
    )


class ReceiptIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "lines": [{"product_id": "01930000-0000-7000-8000-000000000001", "quantity": 6}]
            }
        }
    )

    lines: list[ReceiptLineIn] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _distinct(self) -> ReceiptIn:
        unique([line.product_id for line in self.lines])
        return self

    def received(self) -> list[purchasing.ReceivedLine]:
        return [
            purchasing.ReceivedLine(line.product_id, line.quantity, line.unit_cost_cents)
            for line in self.lines
        ]


class OrderLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    product_id: UUID
    quantity: int
    unit_cost_cents: int
    received_quantity: int


class PurchaseOrderSummaryOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "example": {
                "id": "01930000-0000-7000-8000-000000000008",
                "supplier_id": "01930000-0000-7000-8000-000000000007",
                "status": "partially_received",
                "reference": "BC-2027-031",
                "note": None,
                "ordered_at": "2027-03-15T09:00:00+01:00",
                "closed_at": None,
            }
        },
    )

    id: UUID
    supplier_id: UUID
    status: str
    reference: str | None
    note: str | None
    ordered_at: SalonDateTime
    closed_at: SalonDateTime | None


class PurchaseOrderOut(PurchaseOrderSummaryOut):
    lines: list[OrderLineOut]
    total_cents: int = Field(description="What the order costs, every line at its price")

    @classmethod
    def of(cls, view: purchasing.OrderView) -> PurchaseOrderOut:
        summary = PurchaseOrderSummaryOut.model_validate(view.order)
        return cls(
            **dict(summary),
            lines=[OrderLineOut.model_validate(line) for line in view.lines],
            total_cents=sum(line.quantity * line.unit_cost_cents for line in view.lines),
        )
