"""Who a loyalty route is about: the signed-in client's own record (404 when her account
has none), or a client named in the path, seen by front desk staff."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends

from app.auth.public import ClientSelf, DbSession, FrontDesk
from app.clients import public as clients
from app.loyalty.errors import NotAMember


async def own_client(principal: ClientSelf, session: DbSession) -> clients.ClientRef:
    found = await clients.client_for_user(session, principal.user_id)
    if found is None:
        raise NotAMember()
    return found


async def client_for_staff(client_id: UUID, _: FrontDesk, session: DbSession) -> clients.ClientRef:
    return await clients.get_client(session, client_id)


OwnClient = Annotated[clients.ClientRef, Depends(own_client)]
StaffClient = Annotated[clients.ClientRef, Depends(client_for_staff)]
