from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from app.catalog.models import DepositKind
from app.core.schemas import Absent, Ean13, refuse_null
from app.core.timeutils import SalonDateTime

FRENCH_VAT_RATES = {Decimal("20"), Decimal("10"), Decimal("5.5"), Decimal("2.1"), Decimal("0")}


def _french_vat(rate: Decimal) -> Decimal:
    if rate not in FRENCH_VAT_RATES:
        raise ValueError("VAT rate must be one of 20, 10, 5.5, 2.1 or 0 (French rates)")
    return rate.quantize(Decimal("0.01"))


VatRate = Annotated[Decimal, AfterValidator(_french_vat), Field(examples=["20.00"])]
Name = Annotated[str, Field(min_length=1, max_length=160)]
Minutes = Annotated[int, Field(ge=0, le=240)]
Duration = Annotated[int, Field(ge=1, le=720)]
PriceCents = Annotated[int, Field(ge=0, le=10_000_000)]


class PrerequisiteIn(BaseModel):
    required_service_id: UUID
    within_days: int = Field(gt=0, le=3650)
    min_days_before: int = Field(default=0, ge=0, le=365)
    first_time_only: bool = True


class ServiceFields(BaseModel):
    """Every writable field of a service; `ServiceCreate` requires some, `ServiceUpdate`
    none."""

    name: Name | Absent = None
    description: str | None = Field(default=None, max_length=4000)
    category_id: UUID | None = None
    duration_minutes: Duration | Absent = None
    buffer_before_minutes: Minutes | Absent = None
    buffer_after_minutes: Minutes | Absent = None
    processing_offset_minutes: Minutes | Absent = None
    processing_minutes: Minutes | Absent = None
    price_cents: PriceCents | Absent = None
    vat_rate: VatRate | Absent = None
    deposit_kind: DepositKind | Absent = None
    deposit_amount_cents: int | None = Field(default=None, gt=0)
    deposit_percent: Decimal | None = Field(default=None, gt=0, le=100)
    online_bookable: bool | Absent = None
    home_visit_available: bool | Absent = None
    is_active: bool | Absent = None
    display_order: int | Absent = None
    resource_ids: list[UUID] | None = None
    prerequisites: list[PrerequisiteIn] | None = None


class ServiceCreate(ServiceFields):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "name": "Soin éclat du visage",
                "duration_minutes": 60,
                "price_cents": 6500,
                "vat_rate": "20.00",
                "buffer_after_minutes": 10,
                "deposit_kind": "percent",
                "deposit_percent": "30",
                "online_bookable": True,
            }
        }
    )

    name: Name
    duration_minutes: int = Field(ge=1, le=720)
    price_cents: int = Field(ge=0, le=10_000_000)
    vat_rate: VatRate = Decimal("20.00")
    buffer_before_minutes: Minutes = 0
    buffer_after_minutes: Minutes = 0
    processing_offset_minutes: Minutes = 0
    processing_minutes: Minutes = 0
    deposit_kind: DepositKind = DepositKind.none
    online_bookable: bool = True
    home_visit_available: bool = False
    is_active: bool = True
    display_order: int = 0

    @model_validator(mode="after")
    def _rules(self) -> ServiceCreate:
        check_service_rules(self.model_dump())
        return self


class ServiceUpdate(ServiceFields):
    """Fields left out stay as they are; `null` clears the description, the category or a
    deposit figure, and is refused for the others."""

    _no_null = refuse_null(
        "name",
        "duration_minutes",
        "buffer_before_minutes",
        "buffer_after_minutes",
        "processing_offset_minutes",
        "processing_minutes",
        "price_cents",
        "vat_rate",
        "deposit_kind",
        "online_bookable",
        "home_visit_available",
        "is_active",
        "display_order",
    )


def check_service_rules(values: dict[str, Any]) -> None:
    """Rules across fields, checked on the service as it will be after a change."""
    processing = values.get("processing_minutes") or 0
    offset = values.get("processing_offset_minutes") or 0
    if processing and offset + processing >= values["duration_minutes"]:
        raise ValueError("the processing time must end before the service does")
    kind = values.get("deposit_kind") or DepositKind.none
    if kind == DepositKind.fixed and not values.get("deposit_amount_cents"):
        raise ValueError("a fixed deposit needs deposit_amount_cents")
    if kind == DepositKind.percent and not values.get("deposit_percent"):
        raise ValueError("a percentage deposit needs deposit_percent")
    if kind != DepositKind.fixed and values.get("deposit_amount_cents"):
        raise ValueError("deposit_amount_cents needs deposit_kind 'fixed'")
    if kind != DepositKind.percent and values.get("deposit_percent"):
        raise ValueError("deposit_percent needs deposit_kind 'percent'")


class CategoryRef(BaseModel):
    id: UUID
    name: str


class ServiceOut(BaseModel):
    id: UUID
    name: str
    description: str | None
    category: CategoryRef | None
    duration_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    processing_offset_minutes: int
    processing_minutes: int
    price_cents: int
    vat_rate: Decimal
    deposit_kind: DepositKind
    deposit_amount_cents: int | None
    deposit_percent: Decimal | None
    deposit_cents: int = Field(description="The deposit asked at the catalog price")
    online_bookable: bool
    home_visit_available: bool
    is_active: bool
    display_order: int
    resource_ids: list[UUID]
    prerequisites: list[PrerequisiteIn]


CategoryName = Annotated[str, Field(min_length=1, max_length=120)]


class CategoryIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"example": {"name": "Soins du visage", "display_order": 1}}
    )

    name: CategoryName
    description: str | None = Field(default=None, max_length=2000)
    display_order: int = 0


class CategoryUpdate(BaseModel):
    name: CategoryName | Absent = None
    description: str | None = Field(default=None, max_length=2000)
    display_order: int | Absent = None

    _no_null = refuse_null("name", "display_order")


class CategoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    description: str | None
    display_order: int


class ProductIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "name": "Crème hydratante",
                "brand": "Sérénaia",
                "sku": "SER-CR-50",
                "price_cents": 3200,
                "vat_rate": "20.00",
            }
        }
    )

    name: Name
    brand: str | None = Field(default=None, max_length=120)
    sku: str | None = Field(default=None, max_length=64)
    barcode: Ean13 | None = None
    description: str | None = Field(default=None, max_length=4000)
    price_cents: int = Field(ge=0, le=10_000_000)
    vat_rate: VatRate = Decimal("20.00")
    is_active: bool = True


class ProductUpdate(BaseModel):
    name: Name | Absent = None
    brand: str | None = Field(default=None, max_length=120)
    sku: str | None = Field(default=None, max_length=64)
    barcode: Ean13 | None = None
    description: str | None = Field(default=None, max_length=4000)
    price_cents: PriceCents | Absent = None
    vat_rate: VatRate | Absent = None
    is_active: bool | Absent = None

    _no_null = refuse_null("name", "price_cents", "vat_rate", "is_active")


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    brand: str | None
    sku: str | None
    barcode: str | None
    description: str | None
    price_cents: int
    vat_rate: Decimal
    is_active: bool
    created_at: SalonDateTime
