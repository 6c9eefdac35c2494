"""Promo codes as the till uses them (`coupons.public`, no HTTP), and the audit trail of a
manager's changes to a code's terms."""

from __future__ import annotations

from uuid import uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import AuditLogEntry, Role
from app.core import clock
from app.core.db import unit_of_work
from app.coupons import public as coupons
from tests.bookings.salon import make_client, paris
from tests.builders import AuthHeaders

SERUM = uuid4()


@pytest.fixture(autouse=True)
def _now() -> None:
    clock.pin(paris(2027, 3, 15, 10))


async def test_creating_and_changing_a_code_is_audited_with_what_changed(
    client: AsyncClient, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    manager = await auth_headers(Role.manager)
    created = await client.post(
        "/api/v1/coupons",
        json={"code": "ete25", "kind": "fixed", "amount_cents": 500},
        headers=manager,
    )
    assert created.status_code == 201, created.text
    coupon_id = created.json()["id"]
    terms = {k: v for k, v in created.json().items() if k not in {"id", "code", "created_at"}}
    changed = await client.put(
        f"/api/v1/coupons/{coupon_id}",
        json=terms | {"amount_cents": 800, "max_uses": 10},
        headers=manager,
    )
    assert changed.status_code == 200, changed.text

    entries = list(
        await session.scalars(
            select(AuditLogEntry)
            .where(AuditLogEntry.subject_id == coupon_id)
            .order_by(AuditLogEntry.at)
        )
    )
    assert [e.action for e in entries] == ["coupon.created", "coupon.updated"]
    assert entries[0].data["code"] == "ETE25"
    assert entries[0].actor_user_id is not None
    assert entries[0].actor_user_id == entries[1].actor_user_id
    assert entries[1].data["changed"] == {"amount_cents": 800, "max_uses": 10}


async def test_a_name_taken_is_refused_and_audits_nothing(
    client: AsyncClient, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    manager = await auth_headers(Role.manager)
    body = {"code": "NOEL", "kind": "percent", "percent": "10"}
    assert (await client.post("/api/v1/coupons", json=body, headers=manager)).status_code == 201
    again = await client.post("/api/v1/coupons", json=body | {"code": "noel"}, headers=manager)
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"
    actions = list(
        await session.scalars(
            select(AuditLogEntry.action).where(AuditLogEntry.action == "coupon.created")
        )
    )
    assert actions == ["coupon.created"]


async def test_the_till_checks_and_uses_a_code_once_per_order(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    created = await client.post(
        "/api/v1/coupons",
        json={
            "code": "SERUM20",
            "kind": "percent",
            "percent": "20",
            "product_ids": [str(SERUM)],
            "min_amount_cents": 3000,
        },
        headers=manager,
    )
    assert created.status_code == 201, created.text
    buyer = await make_client()
    order = uuid4()
    lines = [coupons.Line("product", SERUM, 4500), coupons.Line("product", uuid4(), 1000)]

    async with unit_of_work() as session:
        small = await coupons.check_code(session, "serum20", lines=lines[1:], client_id=buyer)
        check = await coupons.check_code(session, "serum20", lines=lines, client_id=buyer)
    assert (small.valid, small.reason_code) == (False, "below_minimum")
    assert small.reason == "This code needs at least 30.00 €."
    assert (check.valid, check.discount_cents, check.amount_cents) == (True, 900, 5500)

    async with unit_of_work() as session:
        first = await coupons.use_code(
            session,
            "SERUM20",
            lines=lines,
            client_id=buyer,
            subject_kind="order",
            subject_id=order,
            actor_user_id=None,
        )
    async with unit_of_work() as session:
        again = await coupons.use_code(
            session,
            "serum20",
            lines=lines,
            client_id=buyer,
            subject_kind="order",
            subject_id=order,
            actor_user_id=None,
        )
        found = await coupons.use_on(session, "order", order)
    assert again == first == found
    assert (first.discount_cents, first.amount_after_cents, first.state) == (900, 4600, "used")

    async with unit_of_work() as session:
        with pytest.raises(coupons.CouponRefused) as refused:
            await coupons.use_code(
                session,
                "NOPE",
                lines=lines,
                client_id=None,
                subject_kind="order",
                subject_id=uuid4(),
                actor_user_id=None,
            )
    assert refused.value.extra == {"reason_code": "unknown_code"}
