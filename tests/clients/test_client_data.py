"""Every table that points at a client is handled by merge, export and erasure: each domain
declares its client data (app/clients/client_data.py), and the database is the judge of
what must be declared."""

from __future__ import annotations

from uuid import uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app import registry
from app.auth.models import Role
from app.clients import public as clients
from app.core import clock
from tests.bookings.salon import paris
from tests.builders import AuthHeaders, sign_up

FACIAL = str(uuid4())

FOREIGN_KEYS_TO_CLIENTS = text(
    """
    SELECT cl.relname AS table_name, att.attname AS column_name
    FROM pg_constraint con
    JOIN pg_class cl ON cl.oid = con.conrelid
    JOIN pg_namespace ns ON ns.oid = cl.relnamespace
    JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = ANY (con.conkey)
    WHERE con.contype = 'f'
      AND con.confrelid = 'public.clients'::regclass
      AND ns.nspname = 'public'
    ORDER BY 1, 2
    """
)


@pytest.fixture(autouse=True)
def _pinned() -> None:
    clock.pin(paris(2027, 3, 15, 8))


async def test_every_foreign_key_to_clients_is_declared_by_its_domain(
    session: AsyncSession,
) -> None:
    registry.load_all()
    in_database = {
        f"{row.table_name}.{row.column_name}"
        for row in await session.execute(FOREIGN_KEYS_TO_CLIENTS)
    }
    declared = clients.declared_client_references()

    missing = sorted(in_database - set(declared))
    assert not missing, (
        "These columns point at clients.id but no domain declares them, so merging two "
        "clients, a GDPR export or an erasure would miss them: "
        + ", ".join(missing)
        + ". In the owning domain's client_data.py (listed in app/registry.py), add each "
        "'table.column' to `references` of its `clients.declare_client_data(...)` and handle "
        "it in that declaration's merge, export and erase functions."
    )
    stale = sorted(set(declared) - in_database)
    assert not stale, f"Declared but not a foreign key to clients.id any more: {stale}"


async def test_merging_keeps_code_uses_gift_cards_bought_and_opt_outs(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    keep = await client.post(
        "/api/v1/clients",
        json={"first_name": "Hélène", "last_name": "Dupont", "email": "helene@example.fr"},
        headers=manager,
    )
    account = await sign_up(client, "h.dupont@example.fr", "Helene", "Dupont")
    dupe = (await client.get("/api/v1/me", headers=account)).json()
    target = keep.json()["id"]
    created = await client.post(
        "/api/v1/coupons",
        json={"code": "BIENVENUE", "kind": "percent", "percent": "10", "max_uses_per_client": 1},
        headers=manager,
    )
    assert created.status_code == 201, created.text
    lines = [{"kind": "service", "id": FACIAL, "amount_cents": 6000}]
    used = await client.post(
        "/api/v1/coupons/redeem",
        json={
            "code": "BIENVENUE",
            "lines": lines,
            "client_id": dupe["id"],
            "subject_kind": "order",
            "subject_id": str(uuid4()),
        },
        headers=manager,
    )
    assert used.status_code == 201, used.text
    bought = await client.post(
        "/api/v1/gift-cards",
        json={
            "amount_cents": 5000,
            "buyer": {"name": "Helene Dupont", "email": "h.dupont@example.fr"},
            "recipient_name": "Léa",
            "recipient_email": "lea@example.fr",
            "method": "stripe",
        },
        headers=account,
    )
    assert bought.status_code == 201, bought.text
    stop = await client.put(
        f"/api/v1/clients/{dupe['id']}/notification-preferences",
        json={"sms": False, "email": True},
        headers=manager,
    )
    assert stop.status_code == 200, stop.text

    merged = await client.post(
        "/api/v1/clients/merge",
        json={"source_id": dupe["id"], "target_id": target},
        headers=manager,
    )
    again = await client.post(
        "/api/v1/coupons/validate",
        json={"code": "BIENVENUE", "lines": lines, "client_id": target},
        headers=manager,
    )
    exported = await client.get(f"/api/v1/clients/{target}/export", headers=manager)
    preferences = await client.get(
        f"/api/v1/clients/{target}/notification-preferences", headers=manager
    )

    assert merged.status_code == 200, merged.text
    assert again.json()["reason_code"] == "already_used"  # the per-client limit holds
    assert [c["id"] for c in exported.json()["gift_cards"]] == [bought.json()["gift_card"]["id"]]
    assert [u["subject_kind"] for u in exported.json()["coupon_uses"]] == ["order"]
    assert preferences.json() == {"sms": False, "email": True}  # her STOP still holds
