"""Client records, inserted directly."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from app.clients.models import Client
from app.core.clock import utcnow
from app.core.db import unit_of_work
from app.core.ids import new_id


async def make_client(
    first_name: str = "Hélène",
    email: str | None = None,
    phone: str | None = None,
    birthday: date | None = None,
) -> UUID:
    now = utcnow()
    client = Client(
        id=new_id(),
        first_name=first_name,
        last_name="Dupont",
        email=email or f"{new_id().hex[-10:]}@example.fr",
        phone=phone,
        birthday=birthday,
        created_at=now,
        updated_at=now,
    )
    async with unit_of_work() as session:
        session.add(client)
    return client.id
