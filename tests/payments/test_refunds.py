"""Refunds by staff, and the deposit after a cancellation: refunded in time or when the
salon cancels, kept when the client cancels late, as docs/deposits.md says."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import AuditLogEntry, Role
from app.core import clock
from app.payments.models import PaymentLog, Refund
from tests.builders import AuthHeaders
from tests.fakes.server import FakeProviders
from tests.payments.helpers import (
    A_WEEK_BEFORE,
    count,
    held_with_checkout,
    payment,
    post_stripe,
    run_outbox,
)


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(A_WEEK_BEFORE)


async def paid_booking(client: AsyncClient, fakes: FakeProviders) -> tuple[dict[str, Any], str]:
    booking, checkout = await held_with_checkout(client)
    await post_stripe(client, fakes.stripe.pay(checkout["client_secret"]))
    return booking, checkout["payment_id"]


async def test_staff_refund_part_then_the_rest(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    _, payment_id = await paid_booking(client, fakes)
    desk = await auth_headers(Role.receptionist)

    part = await client.post(
        f"/api/v1/payments/{payment_id}/refunds",
        json={"amount_cents": 700, "reason": "Soin écourté"},
        headers=desk,
    )
    too_much = await client.post(
        f"/api/v1/payments/{payment_id}/refunds",
        json={"amount_cents": 2001, "reason": "Erreur"},
        headers=desk,
    )
    rest = await client.post(
        f"/api/v1/payments/{payment_id}/refunds", json={"reason": "Geste commercial"}, headers=desk
    )
    nothing_left = await client.post(
        f"/api/v1/payments/{payment_id}/refunds", json={"reason": "Encore"}, headers=desk
    )

    assert part.status_code == 201, part.text
    assert part.json()["status"] == "succeeded"
    assert part.json()["amount_cents"] == 700
    assert too_much.status_code == 422
    assert too_much.json()["code"] == "refund_exceeds_payment"
    assert too_much.json()["refundable_cents"] == 2000
    assert rest.json()["amount_cents"] == 2000
    assert nothing_left.status_code == 409
    assert nothing_left.json()["code"] == "payment_not_refundable"
    refunded = await payment(session, payment_id)
    assert refunded.status == "refunded"
    assert refunded.refunded_cents == 2700
    assert [r["amount"] for r in fakes.stripe.refunds.values()] == [700, 2000]
    detail = await client.get(f"/api/v1/payments/{payment_id}", headers=desk)
    assert [r["amount_cents"] for r in detail.json()["refunds"]] == [700, 2000]
    assert detail.json()["provider_events"][0]["event_type"] == "payment_intent.succeeded"
    assert await count(session, AuditLogEntry, AuditLogEntry.action == "payment.refunded") == 2


async def test_a_partial_refund_leaves_the_payment_partially_refunded(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    _, payment_id = await paid_booking(client, fakes)

    await client.post(
        f"/api/v1/payments/{payment_id}/refunds",
        json={"amount_cents": 1000, "reason": "Soin écourté"},
        headers=await auth_headers(Role.manager),
    )

    assert (await payment(session, payment_id)).status == "partially_refunded"


async def test_a_refund_made_in_the_stripe_dashboard_is_recorded_once(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession
) -> None:
    _, payment_id = await paid_booking(client, fakes)
    paid = await payment(session, payment_id)
    event = fakes.stripe.refund_from_dashboard(paid.provider_ref or "", 500)

    await post_stripe(client, event)
    await post_stripe(client, event)

    assert await count(session, Refund) == 1
    assert (await payment(session, payment_id)).refunded_cents == 500


async def test_cancelling_in_time_refunds_the_deposit(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession
) -> None:
    booking, payment_id = await paid_booking(client, fakes)

    cancelled = await client.post(
        f"/api/v1/bookings/manage/{booking['manage_token']}/cancel", json={"reason": "Malade"}
    )
    await run_outbox()
    await run_outbox()  # a second sweep finds nothing left to do

    assert cancelled.json()["late_cancellation"] is False
    refunded = await payment(session, payment_id)
    assert refunded.status == "refunded"
    [refund] = (await session.scalars(select(Refund))).all()
    assert refund.automatic is True
    assert refund.reason == "cancelled_in_time"
    assert len(fakes.stripe.refunds) == 1


async def test_cancelling_late_keeps_the_deposit(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession
) -> None:
    booking, payment_id = await paid_booking(client, fakes)
    clock.travel(timedelta(days=6, hours=14))  # Monday 9:00 minus 11 hours: inside 24 h

    cancelled = await client.post(
        f"/api/v1/bookings/manage/{booking['manage_token']}/cancel", json={"reason": "Imprévu"}
    )
    await run_outbox()

    assert cancelled.json()["late_cancellation"] is True
    assert (await payment(session, payment_id)).status == "succeeded"
    assert fakes.stripe.refunds == {}
    kept = await session.scalar(select(PaymentLog).where(PaymentLog.kind == "deposit_kept"))
    assert kept is not None
    assert kept.note == "late cancellation (arrhes)"


async def test_staff_cancelling_for_the_client_late_keeps_it_for_the_salon_refunds(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    booking, payment_id = await paid_booking(client, fakes)
    clock.travel(timedelta(days=6, hours=14))

    await client.post(
        f"/api/v1/bookings/{booking['id']}/cancel",
        json={"reason": "Appel de la cliente", "requested_by_client": True},
        headers=await auth_headers(Role.receptionist),
    )
    await run_outbox()

    assert (await payment(session, payment_id)).status == "succeeded"


async def test_the_salon_cancelling_refunds_and_notes_the_arrhes_owed_on_top(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    booking, payment_id = await paid_booking(client, fakes)
    clock.travel(timedelta(days=6, hours=14))  # even late: the salon withdraws

    await client.post(
        f"/api/v1/bookings/{booking['id']}/cancel",
        json={"reason": "Praticienne malade"},
        headers=await auth_headers(Role.manager),
    )
    await run_outbox()

    assert (await payment(session, payment_id)).status == "refunded"
    owed = await session.scalar(
        select(PaymentLog).where(PaymentLog.kind == "arrhes_compensation_due")
    )
    assert owed is not None
    assert owed.note == "2700 cents owed on top"


async def test_a_refund_the_provider_refuses_is_retried_by_the_outbox_with_the_same_key(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession
) -> None:
    booking, payment_id = await paid_booking(client, fakes)
    real_route = fakes.stripe.app.router.routes  # Stripe's refunds endpoint goes away a while
    fakes.stripe.app.router.routes = [
        r for r in real_route if getattr(r, "path", "") != "/v1/refunds"
    ]

    await client.post(f"/api/v1/bookings/manage/{booking['manage_token']}/cancel", json={})
    await run_outbox()
    assert (await payment(session, payment_id)).status == "succeeded"

    fakes.stripe.app.router.routes = real_route
    clock.travel(timedelta(minutes=5))
    await run_outbox()

    assert (await payment(session, payment_id)).status == "refunded"
    keys = {key for _, path, _, key in fakes.stripe.requests if path.endswith("/v1/refunds")}
    assert keys == {f"auto-{payment_id}-cancelled_in_time"}


@pytest.fixture
def refund_limit(monkeypatch: pytest.MonkeyPatch) -> Any:
    from app.core.config import get_settings

    def set_to(cents: int) -> None:
        monkeypatch.setenv("PAYMENTS_RECEPTIONIST_REFUND_LIMIT_CENTS", str(cents))
        get_settings.cache_clear()

    yield set_to
    monkeypatch.undo()
    get_settings.cache_clear()


async def test_a_receptionist_refunds_up_to_the_limit_the_owner_sets(
    client: AsyncClient,
    fakes: FakeProviders,
    session: AsyncSession,
    auth_headers: AuthHeaders,
    refund_limit: Any,
) -> None:
    _, payment_id = await paid_booking(client, fakes)
    desk, manager = await auth_headers(Role.receptionist), await auth_headers(Role.manager)
    url = f"/api/v1/payments/{payment_id}/refunds"
    refund_limit(1000)

    first = await client.post(
        url, json={"amount_cents": 700, "reason": "Soin écourté"}, headers=desk
    )
    over = await client.post(url, json={"amount_cents": 400, "reason": "Erreur"}, headers=desk)
    whole = await client.post(url, json={"reason": "Geste commercial"}, headers=desk)
    by_manager = await client.post(
        url, json={"amount_cents": 400, "reason": "Erreur"}, headers=manager
    )
    refund_limit(0)
    never = await client.post(url, json={"amount_cents": 1, "reason": "Erreur"}, headers=desk)

    assert first.status_code == 201, first.text
    assert over.status_code == whole.status_code == never.status_code == 403
    assert over.json()["code"] == "refund_above_receptionist_limit"
    assert over.json()["limit_cents"] == 1000
    assert by_manager.status_code == 201, by_manager.text
    assert (await payment(session, payment_id)).refunded_cents == 1100
    assert [r["amount"] for r in fakes.stripe.refunds.values()] == [700, 400]


async def test_a_manage_link_acts_with_the_client_s_rights_even_with_a_manager_s_token(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    booking, payment_id = await paid_booking(client, fakes)
    clock.travel(timedelta(days=6, hours=14))  # inside 24 h: a client's cancellation is late

    cancelled = await client.post(
        f"/api/v1/bookings/manage/{booking['manage_token']}/cancel",
        json={"reason": "Imprévu"},
        headers=await auth_headers(Role.manager),
    )
    await run_outbox()

    assert cancelled.json()["late_cancellation"] is True
    assert (await payment(session, payment_id)).status == "succeeded"
    assert fakes.stripe.refunds == {}
