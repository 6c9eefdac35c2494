"""Promo codes: validation says why a code does not apply; limits hold under concurrent
checkouts; every use is recorded."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.coupons.models import CouponRedemption
from tests.bookings.salon import make_client, paris
from tests.builders import AuthHeaders

FACIAL = str(uuid4())
CREAM = str(uuid4())


@pytest.fixture(autouse=True)
def _now() -> None:
    clock.pin(paris(2027, 3, 15, 10))


@pytest.fixture
async def manager(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.manager)


async def make_coupon(client: AsyncClient, headers: dict[str, str], **fields: Any) -> str:
    body = {"code": "printemps", "kind": "percent", "percent": "20"} | fields
    created = await client.post("/api/v1/coupons", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def basket(*lines: tuple[str, str, int]) -> list[dict[str, Any]]:
    return [{"kind": k, "id": i, "amount_cents": a} for k, i, a in lines]


async def validate(client: AsyncClient, code: str, lines: list[dict[str, Any]], **kw: Any) -> Any:
    answer = await client.post(
        "/api/v1/coupons/validate", json={"code": code, "lines": lines}, **kw
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_a_percentage_applies_only_to_the_eligible_lines(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    await make_coupon(client, manager, service_ids=[FACIAL], min_amount_cents=5000)

    verdict = await validate(
        client, " Printemps ", basket(("service", FACIAL, 6000), ("product", CREAM, 2500))
    )
    too_small = await validate(client, "PRINTEMPS", basket(("service", FACIAL, 4000)))
    other = await validate(client, "PRINTEMPS", basket(("product", CREAM, 9000)))
    unknown = await validate(client, "HIVER", basket(("product", CREAM, 9000)))

    assert (verdict["valid"], verdict["discount_cents"], verdict["amount_after_cents"]) == (
        True,
        1200,
        7300,
    )
    assert too_small["reason_code"] == "below_minimum"
    assert other["reason_code"] == "not_applicable"
    assert unknown["reason_code"] == "unknown_code"


async def test_dates_and_the_active_flag(client: AsyncClient, manager: dict[str, str]) -> None:
    await make_coupon(
        client,
        manager,
        code="ETE",
        kind="fixed",
        percent=None,
        amount_cents=1500,
        starts_at="2027-06-01T00:00:00+02:00",
        ends_at="2027-09-01T00:00:00+02:00",
    )
    off = await make_coupon(client, manager, code="OFF")
    await client.put(
        f"/api/v1/coupons/{off}",
        json={"kind": "percent", "percent": "20", "active": False},
        headers=manager,
    )

    early = await validate(client, "ETE", basket(("service", FACIAL, 6000)))
    clock.pin(paris(2027, 7, 1, 10))
    during = await validate(client, "ETE", basket(("service", FACIAL, 1000)))
    clock.pin(paris(2027, 9, 1, 0))
    late = await validate(client, "ETE", basket(("service", FACIAL, 6000)))
    inactive = await validate(client, "OFF", basket(("service", FACIAL, 6000)))

    assert early["reason_code"] == "not_started"
    assert during["discount_cents"] == 1000  # a fixed amount never exceeds what it covers
    assert late["reason_code"] == "expired"
    assert inactive["reason_code"] == "unknown_code"


async def test_eligibility_and_per_client_limits(
    client: AsyncClient, manager: dict[str, str], session: AsyncSession
) -> None:
    await make_coupon(
        client, manager, code="BIENVENUE", eligibility="new_clients", max_uses_per_client=1
    )
    newcomer = str(await make_client())
    lines = basket(("service", FACIAL, 6000))

    anonymous = await validate(client, "BIENVENUE", lines)
    first = await client.post(
        "/api/v1/coupons/redeem",
        json={
            "code": "BIENVENUE",
            "lines": lines,
            "client_id": newcomer,
            "subject_kind": "order",
            "subject_id": str(uuid4()),
        },
        headers=manager,
    )
    again = await validate(client, "BIENVENUE", lines, headers=manager)
    second = await client.post(
        "/api/v1/coupons/validate",
        json={"code": "BIENVENUE", "lines": lines, "client_id": newcomer},
        headers=manager,
    )

    assert anonymous["reason_code"] == "sign_in_required"
    assert first.status_code == 201, first.text
    assert first.json()["amount_before_cents"] == 6000
    assert first.json()["discount_cents"] == 1200
    assert first.json()["amount_after_cents"] == 4800
    assert again["reason_code"] == "sign_in_required"  # staff must say for whom
    assert second.json()["reason_code"] == "already_used"


async def test_the_total_limit_holds_when_checkouts_race(
    client: AsyncClient, manager: dict[str, str], session: AsyncSession
) -> None:
    coupon_id = await make_coupon(client, manager, code="FLASH", max_uses=2)
    lines = basket(("service", FACIAL, 6000))

    answers = await asyncio.gather(
        *(
            client.post(
                "/api/v1/coupons/redeem",
                json={
                    "code": "FLASH",
                    "lines": lines,
                    "subject_kind": "order",
                    "subject_id": str(uuid4()),
                },
                headers=manager,
            )
            for _ in range(6)
        )
    )

    assert sorted(a.status_code for a in answers) == [201, 201, 409, 409, 409, 409]
    refused = [a.json() for a in answers if a.status_code == 409]
    assert {r["code"] for r in refused} == {"coupon_not_applicable"}
    assert {r["reason_code"] for r in refused} == {"used_up"}
    used = await session.scalar(select(func.count()).select_from(CouponRedemption))
    assert used == 2
    stats = (await client.get(f"/api/v1/coupons/{coupon_id}/stats", headers=manager)).json()
    assert (stats["uses"], stats["discount_cents"], stats["uses_left"]) == (2, 2400, 0)


async def test_a_checkout_applying_the_same_code_twice_uses_it_once(
    client: AsyncClient, manager: dict[str, str], session: AsyncSession
) -> None:
    await make_coupon(client, manager, code="DOUBLE", max_uses=5)
    body = {
        "code": "DOUBLE",
        "lines": basket(("service", FACIAL, 5000)),
        "subject_kind": "order",
        "subject_id": str(uuid4()),
    }

    first = await client.post("/api/v1/coupons/redeem", json=body, headers=manager)
    second = await client.post("/api/v1/coupons/redeem", json=body, headers=manager)

    assert first.json()["id"] == second.json()["id"]
    assert await session.scalar(select(func.count()).select_from(CouponRedemption)) == 1


async def test_bad_coupons_are_refused_with_field_errors(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    both = await client.post(
        "/api/v1/coupons",
        json={"code": "XONE", "kind": "percent", "percent": "10", "amount_cents": 100},
        headers=manager,
    )
    too_much = await client.post(
        "/api/v1/coupons",
        json={"code": "XYZ", "kind": "percent", "percent": "120"},
        headers=manager,
    )
    await make_coupon(client, manager, code="TWICE")
    dup = await client.post(
        "/api/v1/coupons",
        json={"code": "twice", "kind": "percent", "percent": "5"},
        headers=manager,
    )

    assert both.status_code == too_much.status_code == 422
    assert dup.status_code == 409


async def test_a_code_at_booking_checkout_lowers_the_price_and_the_deposit(
    client: AsyncClient, manager: dict[str, str], fakes: object
) -> None:
    from tests.payments.helpers import hold, pay_deposit, salon_with_deposit

    clock.pin(paris(2027, 3, 15, 8))
    massage, _ = await salon_with_deposit(price_cents=9000)
    await make_coupon(
        client,
        await _fresh(client),
        code="MASSAGE",
        kind="fixed",
        percent=None,
        amount_cents=3000,
        service_ids=[str(massage)],
    )
    booking = await hold(client, massage)
    other = await hold(client, massage, start="2027-03-22T14:00:00+01:00")

    stranger = await client.post(
        f"/api/v1/bookings/{booking['id']}/coupon", json={"code": "MASSAGE"}
    )
    applied = await client.post(
        f"/api/v1/bookings/{booking['id']}/coupon",
        json={"code": "massage", "token": booking["manage_token"]},
    )
    twice = await client.post(
        f"/api/v1/bookings/{booking['id']}/coupon",
        json={"code": "MASSAGE", "token": booking["manage_token"]},
    )
    await make_coupon(client, await _fresh(client), code="AUTRE")
    another = await client.post(
        f"/api/v1/bookings/{booking['id']}/coupon",
        json={"code": "AUTRE", "token": booking["manage_token"]},
    )
    deposit = await pay_deposit(client, booking)
    await pay_deposit(client, other)
    too_late = await client.post(
        f"/api/v1/bookings/{other['id']}/coupon",
        json={"code": "MASSAGE", "token": other["manage_token"]},
    )

    assert stranger.status_code == 404
    assert applied.status_code == 200, applied.text
    assert (applied.json()["total_cents"], applied.json()["discount_cents"]) == (6000, 3000)
    assert applied.json()["deposit_cents"] == 2700  # 30 % of 90 € is still under 60 €
    assert twice.status_code == 200  # the same booking uses a code once
    assert twice.json()["discount_cents"] == 3000
    assert (another.status_code, another.json()["code"]) == (409, "discount_not_allowed")
    assert deposit.json()["amount_cents"] == 2700
    assert (too_late.status_code, too_late.json()["code"]) == (409, "discount_not_allowed")
    manage = await client.get(f"/api/v1/bookings/manage/{booking['manage_token']}")
    assert (manage.json()["total_cents"], manage.json()["discount_cents"]) == (6000, 3000)


async def _fresh(client: AsyncClient) -> dict[str, str]:
    from tests.builders import login, make_user

    user = await make_user(role=Role.manager)
    tokens = await login(client, user.email)
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def test_a_code_used_for_an_unknown_client_is_refused_and_records_nothing(
    client: AsyncClient, manager: dict[str, str], session: AsyncSession
) -> None:
    await make_coupon(client, manager, code="INCONNUE")
    body = {
        "code": "INCONNUE",
        "lines": basket(("service", FACIAL, 6000)),
        "client_id": str(uuid4()),
        "subject_kind": "order",
        "subject_id": str(uuid4()),
    }

    redeemed = await client.post("/api/v1/coupons/redeem", json=body, headers=manager)
    checked = await client.post("/api/v1/coupons/validate", json=body, headers=manager)

    assert redeemed.status_code == 404, redeemed.text
    assert redeemed.json()["code"] == "client_not_found"
    assert checked.status_code == 404
    assert await session.scalar(select(func.count()).select_from(CouponRedemption)) == 0
