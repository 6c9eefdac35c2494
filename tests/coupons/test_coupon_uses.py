"""A promo code on a booking: one use case whichever path applies it (it changes what is
due), and a use that counts once the booking is paid or confirmed, given back when its hold
dies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from httpx import AsyncClient

from app.auth.models import Role
from app.bookings.tasks import expire_holds
from app.core import clock
from tests.bookings.salon import book_by_staff, facial_with_camille, paris
from tests.builders import AuthHeaders
from tests.fakes.server import FakeProviders
from tests.payments.helpers import hold, pay_deposit, post_stripe, run_outbox, salon_with_deposit

NINE = "2027-03-22T09:00:00+01:00"


async def make_code(client: AsyncClient, headers: dict[str, str], **fields: Any) -> str:
    body = {"code": "DIXEUROS", "kind": "fixed", "amount_cents": 1000} | fields
    created = await client.post("/api/v1/coupons", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def test_redeeming_a_code_for_a_booking_lowers_what_is_due_whichever_path(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    clock.pin(paris(2027, 3, 15, 8))
    desk = await auth_headers(Role.manager)
    await make_code(client, desk)
    facial, _ = await facial_with_camille(price_cents=6000)
    booking = await book_by_staff(client, desk, [facial], NINE)

    redeemed = await client.post(
        "/api/v1/coupons/redeem",
        json={
            "code": "dixeuros",
            "lines": [{"kind": "service", "id": str(facial), "amount_cents": 6000}],
            "client_id": booking["client_id"],
            "subject_kind": "booking",
            "subject_id": booking["id"],
        },
        headers=desk,
    )
    balance = await client.get(f"/api/v1/bookings/{booking['id']}/balance", headers=desk)
    again = await client.post(
        f"/api/v1/bookings/{booking['id']}/coupon", json={"code": "DIXEUROS"}, headers=desk
    )
    shown = await client.get(f"/api/v1/bookings/{booking['id']}", headers=desk)

    assert redeemed.status_code == 201, redeemed.text
    assert (redeemed.json()["discount_cents"], redeemed.json()["amount_after_cents"]) == (
        1000,
        5000,
    )
    assert (balance.json()["total_cents"], balance.json()["due_cents"]) == (5000, 5000)
    assert again.status_code == 200, again.text  # the same code again: the same answer
    assert again.json()["redemption"]["id"] == redeemed.json()["id"]
    assert (again.json()["total_cents"], again.json()["discount_cents"]) == (5000, 1000)
    assert shown.json()["total_cents"] == 5000


async def test_a_missing_booking_is_refused_and_uses_nothing(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    desk = await auth_headers(Role.manager)
    coupon_id = await make_code(client, desk)
    from uuid import uuid4

    answer = await client.post(
        "/api/v1/coupons/redeem",
        json={
            "code": "DIXEUROS",
            "lines": [{"kind": "service", "id": str(uuid4()), "amount_cents": 6000}],
            "subject_kind": "booking",
            "subject_id": str(uuid4()),
        },
        headers=desk,
    )

    assert (answer.status_code, answer.json()["code"]) == (404, "booking_not_found")
    stats = await client.get(f"/api/v1/coupons/{coupon_id}/stats", headers=desk)
    assert stats.json()["uses"] == 0


async def test_an_abandoned_checkout_gives_its_limited_code_back(
    client: AsyncClient, auth_headers: AuthHeaders, fakes: FakeProviders
) -> None:
    clock.pin(paris(2027, 3, 15, 8))
    manager = await auth_headers(Role.manager)
    massage, _ = await salon_with_deposit(price_cents=9000)
    coupon_id = await make_code(client, manager, code="UNESEULE", max_uses=1)
    abandoned = await hold(client, massage)

    applied = await client.post(
        f"/api/v1/bookings/{abandoned['id']}/coupon",
        json={"code": "UNESEULE", "token": abandoned["manage_token"]},
    )
    while_held = (await client.get(f"/api/v1/coupons/{coupon_id}/stats", headers=manager)).json()
    clock.travel(timedelta(minutes=16))
    assert await expire_holds() == 1
    await run_outbox()
    manager = await auth_headers(Role.manager)  # the first login's token has expired
    after_expiry = (await client.get(f"/api/v1/coupons/{coupon_id}/stats", headers=manager)).json()
    second = await hold(
        client,
        massage,
        start="2027-03-22T14:00:00+01:00",
        who={"first_name": "Bea", "last_name": "Roux", "email": "bea@example.fr"},
    )
    reused = await client.post(
        f"/api/v1/bookings/{second['id']}/coupon",
        json={"code": "UNESEULE", "token": second["manage_token"]},
    )
    checkout = await pay_deposit(client, second)
    await post_stripe(client, fakes.stripe.pay(checkout.json()["client_secret"]))
    await run_outbox()
    after_payment = (await client.get(f"/api/v1/coupons/{coupon_id}/stats", headers=manager)).json()

    assert applied.status_code == 200, applied.text
    assert (while_held["uses"], while_held["held"], while_held["uses_left"]) == (0, 1, 0)
    assert (after_expiry["uses"], after_expiry["held"], after_expiry["uses_left"]) == (0, 0, 1)
    assert reused.status_code == 200, reused.text
    assert reused.json()["discount_cents"] == 1000
    assert (after_payment["uses"], after_payment["held"], after_payment["uses_left"]) == (
        1,
        0,
        0,
    )
