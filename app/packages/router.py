"""Packages over HTTP: the offers (managers make them, the site lists them), a package bought
online by a client, her packages, staff views per client and of every package sold, and
refunds of unused sessions."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, status

from app.auth.public import ClientSelf, DbSession, FrontDesk, Manager
from app.core.errors import error_responses
from app.core.pagination import Page, Pagination
from app.packages import errors, flows, service
from app.packages.dependencies import OfferForManager, PackageForStaff
from app.packages.schemas import (
    BuyIn,
    OfferIn,
    OfferOut,
    PackageOut,
    PurchaseOut,
    RefundIn,
    RefundOut,
    RefundQuoteOut,
)
from app.payments import public as payments

router = APIRouter(tags=["packages"])

_OFFER_ERRORS = (errors.UnknownServices, errors.MixedVatRates)
_REFUND_ERRORS = (
    errors.PackageNotRefundable,
    errors.PackageHasReservations,
    errors.RefundAtTill,
    errors.PackageNotFound,
)
PackageState = Literal["pending_payment", "active", "exhausted", "expired", "refunded", "cancelled"]


@router.get("/api/v1/package-offers")
async def list_offers(session: DbSession) -> Page[OfferOut]:
    """The packages on sale, for the site and the till (one page)."""
    return Page[OfferOut](items=[OfferOut.of(o) for o in await service.offers_on_sale(session)])


@router.post(
    "/api/v1/package-offers",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(*_OFFER_ERRORS),
)
async def create_offer(body: OfferIn, manager: Manager, session: DbSession) -> OfferOut:
    """A new offer: its VAT rate is its services' (one rate), its unit price the dearest
    covered service's catalog price."""
    offer = await service.create_offer(session, body.data(), actor_user_id=manager.user_id)
    return OfferOut.of(offer)


@router.get("/api/v1/package-offers/{offer_id}", responses=error_responses(errors.OfferNotFound))
async def get_offer(offer: OfferForManager) -> OfferOut:
    return OfferOut.of(offer)


@router.put(
    "/api/v1/package-offers/{offer_id}",
    responses=error_responses(errors.OfferNotFound, *_OFFER_ERRORS),
)
async def update_offer(
    body: OfferIn, offer: OfferForManager, manager: Manager, session: DbSession
) -> OfferOut:
    """Change an offer; packages already sold keep their terms."""
    changed = await service.update_offer(session, offer, body.data(), actor_user_id=manager.user_id)
    return OfferOut.of(changed)


@router.post(
    "/api/v1/packages",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        errors.OfferNotFound, errors.OfferNotSold, errors.PackageNeedsClient, payments.NothingToPay
    ),
)
async def buy_package(body: BuyIn, client: ClientSelf, session: DbSession) -> PurchaseOut:
    """Buy a package online (signed-in client): the answer carries the Stripe
    `client_secret` or the PayPal `approval_url`; it is active once paid."""
    return await flows.buy_online(
        session,
        body.offer_id,
        user_id=client.user_id,
        method=body.method,
        return_url=str(body.return_url) if body.return_url else None,
        cancel_url=str(body.cancel_url) if body.cancel_url else None,
    )


@router.get("/api/v1/me/packages")
async def my_packages(client: ClientSelf, session: DbSession) -> Page[PackageOut]:
    """Her packages: sessions left, expiry, and each session's history (one page)."""
    return Page[PackageOut](items=await flows.packages_of_user(session, client.user_id))


@router.get("/api/v1/clients/{client_id}/packages")
async def client_packages(client_id: UUID, _: FrontDesk, session: DbSession) -> Page[PackageOut]:
    """A client's packages, for her record and the till (one page)."""
    return Page[PackageOut](items=await flows.packages_of_client(session, client_id))


@router.get("/api/v1/packages")
async def list_packages(
    _: FrontDesk,
    session: DbSession,
    page: Pagination,
    status_filter: Annotated[PackageState | None, Query(alias="status")] = None,
) -> Page[PackageOut]:
    """Every package sold (or waiting for its payment), newest first."""
    return await flows.sold_packages(session, page=page, status=status_filter)


@router.get("/api/v1/packages/{package_id}", responses=error_responses(errors.PackageNotFound))
async def get_package(package: PackageForStaff, session: DbSession) -> PackageOut:
    return await flows.package_detail(session, package.id)


@router.get(
    "/api/v1/packages/{package_id}/refund", responses=error_responses(errors.PackageNotFound)
)
async def refund_quote(package_id: UUID, _: Manager, session: DbSession) -> RefundQuoteOut:
    """What a refund of the unused sessions would give back, by the package's policy."""
    return await flows.refund_quote(session, package_id)


@router.post("/api/v1/packages/{package_id}/refund", responses=error_responses(*_REFUND_ERRORS))
async def refund_package(
    package_id: UUID, body: RefundIn, manager: Manager, session: DbSession
) -> RefundOut:
    """Refund the unused sessions by the policy, to the payment that bought the package."""
    return await flows.refund(
        session, package_id, reason=body.reason, actor_user_id=manager.user_id
    )
