"""Loaders of the till routes: the till, locked when the request changes it (so two
requests on one till take turns), 404 when there is none."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request

from app.auth.public import DbSession, FrontDesk, is_write
from app.sales import service
from app.sales.models import CashRegister


async def register_for_desk(
    register_id: UUID, _: FrontDesk, session: DbSession, request: Request
) -> CashRegister:
    return await service.get_register(session, register_id, lock=is_write(request))


RegisterForDesk = Annotated[CashRegister, Depends(register_for_desk)]
