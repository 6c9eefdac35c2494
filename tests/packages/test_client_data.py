"""A client's packages in her GDPR export, kept (without personal text) after her erasure,
and added to the kept record by a merge, remaining sessions included."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from tests.factories.auth import AuthHeaders
from tests.factories.bookings import facial_with_camille
from tests.factories.clients import make_client
from tests.factories.core import paris
from tests.packages.helpers import make_offer, packages_of, sell_at_till


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


async def test_export_merge_and_erasure_cover_packages(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    facial, _ = await facial_with_camille(6000)
    offer = await make_offer(client, manager, [facial])
    kept = await make_client(email="helene.kept@example.fr")
    dupe = await make_client(email="helene.dupe@example.fr")
    await sell_at_till(client, manager, offer, kept)
    await sell_at_till(client, manager, offer, dupe, till_open=True)

    exported = await client.get(f"/api/v1/clients/{dupe}/export", headers=manager)
    assert exported.status_code == 200, exported.text
    assert [(p["name"], p["remaining"]) for p in exported.json()["packages"]] == [
        ("4 séances + 1 offerte", 5)
    ]

    merged = await client.post(
        "/api/v1/clients/merge",
        json={"source_id": str(dupe), "target_id": str(kept)},
        headers=manager,
    )
    assert merged.status_code == 200, merged.text
    together = await packages_of(client, manager, kept)
    assert sum(p["remaining"] for p in together) == 10

    erased = await client.request(
        "DELETE", f"/api/v1/clients/{kept}", json={"confirm": True}, headers=manager
    )
    assert erased.status_code == 200, erased.text
    after = await packages_of(client, manager, kept)
    assert [p["price_cents"] for p in after] == [20000, 20000]  # the books keep them
