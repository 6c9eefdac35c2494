"""What other domains may use from the catalog."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.catalog import repository
from app.catalog.models import DepositKind
from app.core.money import percent_of

__all__ = [
    "PrerequisiteSpec",
    "ProductRef",
    "ServiceCategoryRef",
    "ServiceSpec",
    "existing_service_ids",
    "get_service_specs",
    "product_by_barcode",
    "product_refs",
    "service_categories",
    "service_names",
]


@dataclass(frozen=True, slots=True)
class PrerequisiteSpec:
    required_service_id: UUID
    within_days: int
    min_days_before: int
    first_time_only: bool


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """Everything scheduling and booking need to know about a service."""

    id: UUID
    name: str
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
    online_bookable: bool
    home_visit_available: bool
    is_active: bool
    resource_ids: tuple[UUID, ...]
    prerequisites: tuple[PrerequisiteSpec, ...]

    def deposit_cents(self, price_cents: int) -> int:
        """The deposit this service asks for, never more than its price."""
        if self.deposit_kind is DepositKind.fixed and self.deposit_amount_cents:
            return min(self.deposit_amount_cents, price_cents)
        if self.deposit_kind is DepositKind.percent and self.deposit_percent:
            return percent_of(price_cents, self.deposit_percent)
        return 0


_SPEC_COLUMNS = (
    "id",
    "name",
    "duration_minutes",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "processing_offset_minutes",
    "processing_minutes",
    "price_cents",
    "vat_rate",
    "deposit_kind",
    "deposit_amount_cents",
    "deposit_percent",
    "online_bookable",
    "home_visit_available",
    "is_active",
)


async def get_service_specs(
    session: AsyncSession, ids: Iterable[UUID] | None = None
) -> dict[UUID, ServiceSpec]:
    """The services with these ids, or every service with None (missing ids are simply absent
    from the result), in three light queries of plain rows."""
    wanted = None if ids is None else list(set(ids))
    if wanted == []:
        return {}
    resources: dict[UUID, list[UUID]] = {}
    for service_id, resource_id in await repository.resource_pairs(session, wanted):
        resources.setdefault(service_id, []).append(resource_id)
    prerequisites: dict[UUID, list[PrerequisiteSpec]] = {}
    for rule in await repository.prerequisite_rows(session, wanted):
        prerequisites.setdefault(rule.service_id, []).append(
            PrerequisiteSpec(
                required_service_id=rule.required_service_id,
                within_days=rule.within_days,
                min_days_before=rule.min_days_before,
                first_time_only=rule.first_time_only,
            )
        )
    rows = await repository.service_rows(session, wanted, _SPEC_COLUMNS)
    return {
        row.id: ServiceSpec(
            **{key: getattr(row, key) for key in _SPEC_COLUMNS if key != "deposit_kind"},
            deposit_kind=DepositKind(row.deposit_kind),
            resource_ids=tuple(sorted(resources.get(row.id, ()))),
            prerequisites=tuple(prerequisites.get(row.id, ())),
        )
        for row in rows
    }


async def service_names(session: AsyncSession, ids: set[UUID]) -> dict[UUID, str]:
    if not ids:
        return {}
    return await repository.service_names(session, ids)


@dataclass(frozen=True, slots=True)
class ServiceCategoryRef:
    id: UUID
    name: str


async def service_categories(
    session: AsyncSession, ids: Iterable[UUID]
) -> dict[UUID, ServiceCategoryRef]:
    """The category of each of these services (a service in no category, or unknown, is
    absent from the result)."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await repository.service_category_rows(session, wanted)
    return {service_id: ServiceCategoryRef(cid, name) for service_id, cid, name in rows}


async def existing_service_ids(session: AsyncSession, ids: Iterable[UUID]) -> set[UUID]:
    wanted = list(set(ids))
    if not wanted:
        return set()
    return await repository.service_ids_in(session, wanted)


@dataclass(frozen=True, slots=True)
class ProductRef:
    """What stock and the till need to know about a retail or back-bar product."""

    id: UUID
    name: str
    brand: str | None
    sku: str | None
    price_cents: int
    vat_rate: Decimal
    is_active: bool
    barcode: str | None = None


async def product_refs(session: AsyncSession, ids: Iterable[UUID]) -> dict[UUID, ProductRef]:
    """The products with these ids (missing ids are simply absent from the result)."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await repository.product_rows(session, wanted)
    return {
        id_: ProductRef(id_, name, brand, sku, price, vat_rate, active, barcode)
        for id_, name, brand, sku, price, vat_rate, active, barcode in rows
    }


async def product_by_barcode(session: AsyncSession, barcode: str) -> ProductRef | None:
    """The product whose EAN-13 this is (as the till scanned it), if any."""
    found = await repository.product_id_by_barcode(session, barcode)
    return None if found is None else (await product_refs(session, [found]))[found]
