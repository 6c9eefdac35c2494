"""Two bookings made at once for the last session of a package: one is covered, the other is
paid, and the package never goes below zero (its row lock and its check constraint)."""

from __future__ import annotations

import asyncio

import pytest
from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from tests.factories.auth import AuthHeaders
from tests.factories.bookings import ELEVEN, NINE, facial_with_camille
from tests.factories.clients import make_client
from tests.factories.core import paris
from tests.packages.helpers import make_offer, only_package, sell_at_till

pytestmark = pytest.mark.race


async def test_two_bookings_at_once_for_the_last_session_cover_one(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    clock.pin(paris(2027, 3, 15, 8))
    manager = await auth_headers(Role.manager)
    facial, _ = await facial_with_camille(6000)
    offer = await make_offer(
        client, manager, [facial], paid_sessions=1, free_sessions=0, price_cents=5000
    )
    helene = await make_client(email="helene.course@example.fr")
    await sell_at_till(client, manager, offer, helene)

    async def book(start: str) -> dict[str, object]:
        made = await client.post(
            "/api/v1/bookings",
            json={"service_ids": [str(facial)], "start": start, "client_id": str(helene)},
            headers=manager,
        )
        assert made.status_code == 201, made.text
        return dict(made.json())

    both = await asyncio.gather(book(NINE), book(ELEVEN))
    assert sorted(b["total_cents"] for b in both) == [0, 6000]
    assert sorted(str(b["items"][0]["covered_by"]) for b in both) == ["None", "package"]  # type: ignore[index]
    package = await only_package(client, manager, helene)
    assert (package["remaining"], package["sessions_reserved"]) == (0, 1)
