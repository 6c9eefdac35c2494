"""A PATCH may leave a field out (it stays) or, where the column may be empty, set it to null
(it is cleared). Null for a field that must have a value is refused with the field named,
and changes nothing: before, it reached the database and came back as a 500 or as an
unrelated conflict ("this e-mail is taken", "this account is already linked")."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.clients.models import Client
from app.practitioners.models import Practitioner, Resource
from tests.bookings.salon import make_client, make_practitioner, make_resource
from tests.builders import AuthHeaders

ROWS: dict[str, tuple[str, type[Any], Callable[[], Awaitable[UUID]]]] = {
    "practitioner": ("/api/v1/practitioners", Practitioner, lambda: make_practitioner("Zoé", [])),
    "resource": ("/api/v1/resources", Resource, make_resource),
    "client": ("/api/v1/clients", Client, make_client),
}


async def _row(session: AsyncSession, model: type[Any], row_id: UUID) -> dict[str, Any]:
    session.expire_all()
    row = await session.get(model, row_id)
    return {c.key: getattr(row, c.key) for c in model.__table__.columns}


NEEDED = [
    ("practitioner", "display_name"),
    ("practitioner", "color"),
    ("practitioner", "display_order"),
    ("practitioner", "is_active"),
    ("resource", "name"),
    ("resource", "kind"),
    ("resource", "is_active"),
    ("client", "first_name"),
    ("client", "last_name"),
]


@pytest.mark.parametrize(("row", "field"), NEEDED)
async def test_null_for_a_needed_field_is_refused_with_the_field_named(
    client: AsyncClient, session: AsyncSession, auth_headers: AuthHeaders, row: str, field: str
) -> None:
    headers = await auth_headers(Role.owner)
    path, model, build = ROWS[row]
    row_id = await build()
    before = await _row(session, model, row_id)

    answer = await client.patch(f"{path}/{row_id}", json={field: None}, headers=headers)

    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [f"body.{field}"]
    assert await _row(session, model, row_id) == before


@pytest.mark.parametrize(
    ("row", "field"), [("practitioner", "bio"), ("client", "tags"), ("client", "email")]
)
async def test_null_clears_a_field_that_may_be_empty(
    client: AsyncClient, auth_headers: AuthHeaders, row: str, field: str
) -> None:
    headers = await auth_headers(Role.owner)
    path, _, build = ROWS[row]

    answer = await client.patch(f"{path}/{await build()}", json={field: None}, headers=headers)

    assert answer.status_code == 200, answer.text
    assert answer.json()[field] in (None, [])
