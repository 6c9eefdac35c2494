from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status

from app.auth.public import Manager, MaybeUser
from app.catalog import repository, service
from app.catalog.errors import (
    CategoryNameTaken,
    CategoryNotFound,
    ProductNotFound,
    ServiceNotFound,
    SkuTaken,
    UnknownResource,
    UnknownService,
)
from app.catalog.models import DepositKind, Product, Service
from app.catalog.public import get_service_specs
from app.catalog.schemas import (
    CategoryIn,
    CategoryOut,
    CategoryRef,
    CategoryUpdate,
    PrerequisiteIn,
    ProductIn,
    ProductOut,
    ProductUpdate,
    ServiceCreate,
    ServiceOut,
    ServiceUpdate,
)
from app.core.cache import public_read
from app.core.db import DbSession
from app.core.errors import error_responses
from app.core.pagination import Page, Pagination, paginate

router = APIRouter(tags=["catalog"])

_WRITE_ERRORS = (CategoryNotFound, UnknownResource, UnknownService)


async def _out(session: DbSession, services: list[Service]) -> list[ServiceOut]:
    ids = [s.id for s in services]
    resources, rules = await service.links_of(session, ids)
    names = await service.category_names(session)
    specs = await get_service_specs(session, ids)
    return [
        ServiceOut(
            id=s.id,
            name=s.name,
            description=s.description,
            category=CategoryRef(id=s.category_id, name=names[s.category_id])
            if s.category_id in names
            else None,
            duration_minutes=s.duration_minutes,
            buffer_before_minutes=s.buffer_before_minutes,
            buffer_after_minutes=s.buffer_after_minutes,
            processing_offset_minutes=s.processing_offset_minutes,
            processing_minutes=s.processing_minutes,
            price_cents=s.price_cents,
            vat_rate=s.vat_rate,
            deposit_kind=DepositKind(s.deposit_kind),
            deposit_amount_cents=s.deposit_amount_cents,
            deposit_percent=s.deposit_percent,
            deposit_cents=specs[s.id].deposit_cents(s.price_cents),
            online_bookable=s.online_bookable,
            home_visit_available=s.home_visit_available,
            is_active=s.is_active,
            display_order=s.display_order,
            resource_ids=resources[s.id],
            prerequisites=[
                PrerequisiteIn(
                    required_service_id=r.required_service_id,
                    within_days=r.within_days,
                    min_days_before=r.min_days_before,
                    first_time_only=r.first_time_only,
                )
                for r in rules[s.id]
            ],
        )
        for s in services
    ]


@router.get("/api/v1/services", response_model=Page[ServiceOut])
async def list_services(
    request: Request,
    session: DbSession,
    principal: MaybeUser,
    page: Pagination,
    category_id: UUID | None = None,
    include_inactive: bool = False,
) -> Response:
    """The services, by category and display order. The public sees the active services
    offered online; staff see them all (inactive ones on request). The public's answer
    carries an `ETag` (`304` on `If-None-Match`) and comes from the cache until a change."""
    public = principal is None or not principal.is_staff

    async def build() -> bytes:
        statement, order = repository.services_query(
            public=public, include_inactive=include_inactive, category_id=category_id
        )
        found = await paginate(session, statement, order_by=order, params=page, to_item=lambda s: s)
        items = await _out(session, found.items)
        return (
            Page[ServiceOut](items=items, next_cursor=found.next_cursor).model_dump_json().encode()
        )

    return await public_read(request, session, build, public=public)


@router.get(
    "/api/v1/services/{service_id}",
    response_model=ServiceOut,
    responses=error_responses(ServiceNotFound),
)
async def get_service(
    request: Request, service_id: UUID, session: DbSession, principal: MaybeUser
) -> Response:
    """One service; the public's answer carries an `ETag` like the list."""
    public = principal is None or not principal.is_staff

    async def build() -> bytes:
        found = await service.get_service(session, service_id)
        if public and not (found.is_active and found.online_bookable):
            raise ServiceNotFound()
        return (await _out(session, [found]))[0].model_dump_json().encode()

    return await public_read(request, session, build, public=public)


@router.post(
    "/api/v1/services",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(*_WRITE_ERRORS),
)
async def create_service(body: ServiceCreate, _: Manager, session: DbSession) -> ServiceOut:
    created = await service.create_service(session, body)
    return (await _out(session, [created]))[0]


@router.patch(
    "/api/v1/services/{service_id}", responses=error_responses(ServiceNotFound, *_WRITE_ERRORS)
)
async def update_service(
    service_id: UUID, body: ServiceUpdate, _: Manager, session: DbSession
) -> ServiceOut:
    updated = await service.update_service(session, service_id, body)
    return (await _out(session, [updated]))[0]


@router.delete(
    "/api/v1/services/{service_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(ServiceNotFound),
)
async def retire_service(service_id: UUID, _: Manager, session: DbSession) -> None:
    """Retire a service (bookings keep pointing at it): it is no longer offered."""
    await service.update_service(session, service_id, ServiceUpdate(is_active=False))


@router.get("/api/v1/service-categories", response_model=Page[CategoryOut])
async def list_categories(request: Request, session: DbSession) -> Response:
    """Every category, in display order (one page), with an `ETag`."""

    async def build() -> bytes:
        found = await service.list_categories(session)
        page = Page[CategoryOut](items=[CategoryOut.model_validate(c) for c in found])
        return page.model_dump_json().encode()

    return await public_read(request, session, build)


@router.post(
    "/api/v1/service-categories",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(CategoryNameTaken),
)
async def create_category(body: CategoryIn, _: Manager, session: DbSession) -> CategoryOut:
    return CategoryOut.model_validate(await service.create_category(session, body.model_dump()))


@router.patch(
    "/api/v1/service-categories/{category_id}",
    responses=error_responses(CategoryNotFound, CategoryNameTaken),
)
async def update_category(
    category_id: UUID, body: CategoryUpdate, _: Manager, session: DbSession
) -> CategoryOut:
    category = await service.update_category(
        session, category_id, body.model_dump(exclude_unset=True)
    )
    return CategoryOut.model_validate(category)


@router.delete(
    "/api/v1/service-categories/{category_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(CategoryNotFound),
)
async def delete_category(category_id: UUID, _: Manager, session: DbSession) -> None:
    """Its services stay, without a category."""
    await service.delete_category(session, category_id)


@router.get("/api/v1/products")
async def list_products(
    session: DbSession,
    principal: MaybeUser,
    page: Pagination,
    include_inactive: Annotated[bool, Query(description="Staff only")] = False,
) -> Page[ProductOut]:
    only_active = principal is None or not principal.is_staff or not include_inactive
    return await paginate(
        session,
        repository.products_query(only_active=only_active),
        order_by=(Product.name, Product.id),
        params=page,
        to_item=ProductOut.model_validate,
    )


@router.get("/api/v1/products/{product_id}", responses=error_responses(ProductNotFound))
async def get_product(product_id: UUID, session: DbSession) -> ProductOut:
    return ProductOut.model_validate(await service.get_product(session, product_id))


@router.post(
    "/api/v1/products", status_code=status.HTTP_201_CREATED, responses=error_responses(SkuTaken)
)
async def create_product(body: ProductIn, _: Manager, session: DbSession) -> ProductOut:
    return ProductOut.model_validate(await service.create_product(session, body.model_dump()))


@router.patch("/api/v1/products/{product_id}", responses=error_responses(ProductNotFound, SkuTaken))
async def update_product(
    product_id: UUID, body: ProductUpdate, _: Manager, session: DbSession
) -> ProductOut:
    product = await service.update_product(session, product_id, body.model_dump(exclude_unset=True))
    return ProductOut.model_validate(product)


@router.delete(
    "/api/v1/products/{product_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(ProductNotFound),
)
async def retire_product(product_id: UUID, _: Manager, session: DbSession) -> None:
    await service.update_product(session, product_id, {"is_active": False})
