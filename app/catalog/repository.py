"""Every query on the catalog's tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Row, Select, delete, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.catalog.models import (
    Product,
    Service,
    ServiceCategory,
    ServicePrerequisite,
    ServiceResource,
)

# Services with no category come last, as `NULLS LAST` would put them; a sort key of the
# pagination must never be NULL.
NO_CATEGORY_ORDER = 2**31 - 1


# --- services ----------------------------------------------------------------------------


def services_query(
    *, public: bool, include_inactive: bool, category_id: UUID | None
) -> tuple[Select[Service], tuple[Any, ...]]:
    """The services a caller may list, and their order (by category, then display order)."""
    statement = select(Service).outerjoin(
        ServiceCategory, ServiceCategory.id == Service.category_id
    )
    if public:
        statement = statement.where(Service.is_active.is_(True), Service.online_bookable.is_(True))
    elif not include_inactive:
        statement = statement.where(Service.is_active.is_(True))
    if category_id is not None:
        statement = statement.where(Service.category_id == category_id)
    order = (
        func.coalesce(ServiceCategory.display_order, NO_CATEGORY_ORDER),
        Service.display_order,
        Service.name,
        Service.id,
    )
    return statement, order


async def get_service(session: AsyncSession, service_id: UUID) -> Service | None:
    return await session.get(Service, service_id)


async def service_ids_in(session: AsyncSession, ids: Iterable[UUID]) -> set[UUID]:
    """Those of `ids` that are services."""
    return set(await session.scalars(select(Service.id).where(Service.id.in_(list(ids)))))


async def service_names(session: AsyncSession, ids: Iterable[UUID]) -> dict[UUID, str]:
    rows = await session.execute(select(Service.id, Service.name).where(Service.id.in_(ids)))
    return {service_id: name for service_id, name in rows}


async def service_category_rows(
    session: AsyncSession, ids: Iterable[UUID]
) -> Sequence[Row[UUID, UUID, str]]:
    """(service id, category id, category name) of those of these services in a category."""
    rows = await session.execute(
        select(Service.id, ServiceCategory.id, ServiceCategory.name)
        .join(ServiceCategory, Service.category_id == ServiceCategory.id)
        .where(Service.id.in_(ids))
    )
    return rows.all()


async def resource_links(
    session: AsyncSession, service_ids: Sequence[UUID]
) -> Sequence[ServiceResource]:
    return (
        await session.scalars(
            select(ServiceResource).where(ServiceResource.service_id.in_(service_ids))
        )
    ).all()


async def prerequisites_of(
    session: AsyncSession, service_ids: Sequence[UUID]
) -> Sequence[ServicePrerequisite]:
    return (
        await session.scalars(
            select(ServicePrerequisite).where(ServicePrerequisite.service_id.in_(service_ids))
        )
    ).all()


async def delete_links(session: AsyncSession, service_id: UUID, *, resources: bool) -> None:
    """Drop a service's resource links (`resources`) or its prerequisites."""
    table = ServiceResource if resources else ServicePrerequisite
    await session.execute(delete(table).where(table.service_id == service_id))


# --- plain rows for other domains (get_service_specs: three light queries) ----------------


def _only(column: InstrumentedAttribute[UUID], wanted: list[UUID] | None) -> ColumnElement[bool]:
    return true() if wanted is None else column.in_(wanted)


async def resource_pairs(
    session: AsyncSession, wanted: list[UUID] | None
) -> Sequence[Row[UUID, UUID]]:
    """(service_id, resource_id) of the wanted services, or of all with None."""
    rows = await session.execute(
        select(ServiceResource.service_id, ServiceResource.resource_id).where(
            _only(ServiceResource.service_id, wanted)
        )
    )
    return rows.all()


async def prerequisite_rows(
    session: AsyncSession, wanted: list[UUID] | None
) -> Sequence[Row[UUID, UUID, int, int, bool]]:
    rows = await session.execute(
        select(
            ServicePrerequisite.service_id,
            ServicePrerequisite.required_service_id,
            ServicePrerequisite.within_days,
            ServicePrerequisite.min_days_before,
            ServicePrerequisite.first_time_only,
        ).where(_only(ServicePrerequisite.service_id, wanted))
    )
    return rows.all()


async def service_rows(
    session: AsyncSession, wanted: list[UUID] | None, keys: Iterable[str]
) -> Sequence[Row[Any]]:
    """These columns of the wanted services, or of all with None."""
    names = set(keys)
    columns = [c for c in Service.__table__.c if c.key in names]
    return (await session.execute(select(*columns).where(_only(Service.id, wanted)))).all()


# --- categories --------------------------------------------------------------------------


async def get_category(session: AsyncSession, category_id: UUID) -> ServiceCategory | None:
    return await session.get(ServiceCategory, category_id)


async def category_names(session: AsyncSession) -> dict[UUID, str]:
    rows = await session.execute(select(ServiceCategory.id, ServiceCategory.name))
    return {category_id: name for category_id, name in rows}


async def categories(session: AsyncSession) -> Sequence[ServiceCategory]:
    return (
        await session.scalars(
            select(ServiceCategory).order_by(ServiceCategory.display_order, ServiceCategory.name)
        )
    ).all()


# --- products ----------------------------------------------------------------------------


def products_query(*, only_active: bool) -> Select[Product]:
    statement = select(Product)
    return statement.where(Product.is_active.is_(True)) if only_active else statement


async def get_product(session: AsyncSession, product_id: UUID) -> Product | None:
    return await session.get(Product, product_id)


async def product_rows(
    session: AsyncSession, ids: list[UUID]
) -> Sequence[Row[UUID, str, str | None, str | None, int, Decimal, bool, str | None]]:
    """id, name, brand, sku, price, VAT rate, active flag and barcode of these products."""
    rows = await session.execute(
        select(
            Product.id,
            Product.name,
            Product.brand,
            Product.sku,
            Product.price_cents,
            Product.vat_rate,
            Product.is_active,
            Product.barcode,
        ).where(Product.id.in_(ids))
    )
    return rows.all()


async def product_id_by_barcode(session: AsyncSession, barcode: str) -> UUID | None:
    return await session.scalar(select(Product.id).where(Product.barcode == barcode))
