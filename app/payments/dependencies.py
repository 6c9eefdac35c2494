"""The payment loader of every staff route: front desk staff, the payment locked when the
request changes it, 404 when there is none. Clients reach theirs only through their booking."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request

from app.auth.public import DbSession, FrontDesk, is_write
from app.payments.ledger import get_payment
from app.payments.models import Payment


async def payment_for_staff(
    payment_id: UUID, _: FrontDesk, session: DbSession, request: Request
) -> Payment:
    return await get_payment(session, payment_id, lock=is_write(request))


PaymentForStaff = Annotated[Payment, Depends(payment_for_staff)]
