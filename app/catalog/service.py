"""The catalog: categories, services and products, written by managers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.catalog import repository
from app.catalog.errors import (
    BarcodeTaken,
    CategoryNameTaken,
    CategoryNotFound,
    ProductNotFound,
    ServiceNotFound,
    SkuTaken,
    UnknownResource,
    UnknownService,
)
from app.catalog.models import (
    Product,
    Service,
    ServiceCategory,
    ServicePrerequisite,
    ServiceResource,
)
from app.catalog.schemas import PrerequisiteIn, ServiceFields, check_service_rules
from app.core.clock import utcnow
from app.core.db import flush_or_raise
from app.core.errors import ValidationFailed
from app.core.ids import new_id
from app.practitioners import public as practitioners

_LINKS = ("resource_ids", "prerequisites")


async def get_service(session: AsyncSession, service_id: UUID) -> Service:
    service = await repository.get_service(session, service_id)
    if service is None:
        raise ServiceNotFound()
    return service


async def _check_references(session: AsyncSession, fields: dict[str, Any]) -> None:
    if fields.get("category_id") is not None and (
        await repository.get_category(session, fields["category_id"]) is None
    ):
        raise CategoryNotFound()
    resource_ids = set(fields.get("resource_ids") or ())
    missing = resource_ids - await practitioners.existing_resource_ids(session, resource_ids)
    if missing:
        raise UnknownResource(extra={"resource_ids": sorted(str(r) for r in missing)})
    required = {
        PrerequisiteIn.model_validate(p).required_service_id
        for p in fields.get("prerequisites") or ()
    }
    found = await repository.service_ids_in(session, required)
    if required - found:
        raise UnknownService(extra={"service_ids": sorted(str(s) for s in required - found)})


async def _replace_links(session: AsyncSession, service: Service, fields: dict[str, Any]) -> None:
    if fields.get("resource_ids") is not None:
        await repository.delete_links(session, service.id, resources=True)
        for resource_id in set(fields["resource_ids"]):
            session.add(ServiceResource(service_id=service.id, resource_id=resource_id))
    if fields.get("prerequisites") is not None:
        await repository.delete_links(session, service.id, resources=False)
        for rule in fields["prerequisites"]:
            rule = PrerequisiteIn.model_validate(rule)
            if rule.required_service_id == service.id:
                raise ValidationFailed("A service cannot be its own prerequisite.")
            session.add(ServicePrerequisite(service_id=service.id, **rule.model_dump()))
    await session.flush()


async def create_service(session: AsyncSession, data: ServiceFields) -> Service:
    fields = data.model_dump()
    await _check_references(session, fields)
    now = utcnow()
    service = Service(
        id=new_id(),
        created_at=now,
        updated_at=now,
        **{k: v for k, v in fields.items() if k not in _LINKS},
    )
    session.add(service)
    await session.flush()
    await _replace_links(session, service, fields)
    return service


async def update_service(session: AsyncSession, service_id: UUID, data: ServiceFields) -> Service:
    service = await get_service(session, service_id)
    changes = data.model_dump(exclude_unset=True)
    await _check_references(session, changes)
    merged = {
        column: changes.get(column, getattr(service, column))
        for column in (
            "duration_minutes",
            "processing_minutes",
            "processing_offset_minutes",
            "deposit_kind",
            "deposit_amount_cents",
            "deposit_percent",
        )
    }
    try:
        check_service_rules(merged)
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from exc
    for key, value in changes.items():
        if key not in _LINKS:
            setattr(service, key, value)
    service.updated_at = utcnow()
    await _replace_links(session, service, changes)
    return service


async def links_of(
    session: AsyncSession, service_ids: Sequence[UUID]
) -> tuple[dict[UUID, list[UUID]], dict[UUID, list[ServicePrerequisite]]]:
    resources: dict[UUID, list[UUID]] = {sid: [] for sid in service_ids}
    for link in await repository.resource_links(session, service_ids):
        resources[link.service_id].append(link.resource_id)
    rules: dict[UUID, list[ServicePrerequisite]] = {sid: [] for sid in service_ids}
    for rule in await repository.prerequisites_of(session, service_ids):
        rules[rule.service_id].append(rule)
    return resources, rules


async def category_names(session: AsyncSession) -> dict[UUID, str]:
    return await repository.category_names(session)


async def create_category(session: AsyncSession, fields: dict[str, Any]) -> ServiceCategory:
    category = ServiceCategory(id=new_id(), created_at=utcnow(), **fields)
    session.add(category)
    await flush_or_raise(session, CategoryNameTaken())
    return category


async def update_category(
    session: AsyncSession, category_id: UUID, changes: dict[str, Any]
) -> ServiceCategory:
    category = await repository.get_category(session, category_id)
    if category is None:
        raise CategoryNotFound()
    for key, value in changes.items():
        setattr(category, key, value)
    await flush_or_raise(session, CategoryNameTaken())
    return category


async def delete_category(session: AsyncSession, category_id: UUID) -> None:
    category = await repository.get_category(session, category_id)
    if category is None:
        raise CategoryNotFound()
    await session.delete(category)


async def get_product(session: AsyncSession, product_id: UUID) -> Product:
    product = await repository.get_product(session, product_id)
    if product is None:
        raise ProductNotFound()
    return product


async def create_product(session: AsyncSession, fields: dict[str, Any]) -> Product:
    now = utcnow()
    product = Product(id=new_id(), created_at=now, updated_at=now, **fields)
    session.add(product)
    await _flush_product(session)
    return product


async def update_product(
    session: AsyncSession, product_id: UUID, changes: dict[str, Any]
) -> Product:
    product = await get_product(session, product_id)
    for key, value in changes.items():
        setattr(product, key, value)
    product.updated_at = utcnow()
    await _flush_product(session)
    return product


async def _flush_product(session: AsyncSession) -> None:
    """Flush a product; a barcode or a SKU another product has is answered as such."""
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        if "uq_products_barcode" in str(exc.orig):
            raise BarcodeTaken() from exc
        raise SkuTaken() from exc


async def list_categories(session: AsyncSession) -> Sequence[ServiceCategory]:
    """Every category, in display order."""
    return await repository.categories(session)
