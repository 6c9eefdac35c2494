"""Loaders of the packages routes: an offer or a package for staff, locked when the request
changes it, 404 when there is none. Clients see theirs at /me/packages only."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request

from app.auth.public import DbSession, FrontDesk, Manager, is_write
from app.packages.models import Package, PackageOffer
from app.packages.service import get_offer, get_package


async def offer_for_manager(
    offer_id: UUID, _: Manager, session: DbSession, request: Request
) -> PackageOffer:
    return await get_offer(session, offer_id, lock=is_write(request))


async def package_for_staff(package_id: UUID, _: FrontDesk, session: DbSession) -> Package:
    return await get_package(session, package_id)


OfferForManager = Annotated[PackageOffer, Depends(offer_for_manager)]
PackageForStaff = Annotated[Package, Depends(package_for_staff)]
