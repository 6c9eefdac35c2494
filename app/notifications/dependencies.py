"""The message loader of every staff route: front desk staff (messages are the desk's
correspondence with clients), the message locked for a change, 404 when there is none."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request

from app.auth.public import FrontDesk, is_write
from app.core.db import DbSession
from app.core.errors import NotFound
from app.notifications import repository
from app.notifications.models import Message


async def message_for_staff(
    message_id: UUID, _: FrontDesk, session: DbSession, request: Request
) -> Message:
    message = await repository.get_message(session, message_id, lock=is_write(request))
    if message is None:
        raise NotFound("This message does not exist.")
    return message


MessageForStaff = Annotated[Message, Depends(message_for_staff)]
