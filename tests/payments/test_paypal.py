"""The online deposit with PayPal Orders v2 against the fake PayPal: create, approval link,
capture (by the site or by the webhook, whichever comes first), verified webhooks, refunds."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.payments.models import ProviderEvent
from tests.builders import AuthHeaders
from tests.fakes.server import FakeProviders
from tests.payments.helpers import (
    A_WEEK_BEFORE,
    booking_status,
    count,
    held_with_checkout,
    hold,
    pay_deposit,
    payment,
    post_paypal,
    salon_with_deposit,
)


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(A_WEEK_BEFORE)


async def test_create_approve_capture_confirms_the_booking(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession
) -> None:
    massage, _ = await salon_with_deposit(price_cents=9000)
    booking = await hold(client, massage)

    started = await pay_deposit(
        client,
        booking,
        method="paypal",
        return_url="https://site.example/paiement/retour",
        cancel_url="https://site.example/paiement/annule",
    )

    assert started.status_code == 201, started.text
    checkout = started.json()
    assert checkout["approval_url"].startswith("https://www.sandbox.paypal.com/checkoutnow?token=")
    [(_, _, order, headers)] = [r for r in fakes.paypal.requests if r[1] == "/v2/checkout/orders"]
    assert order["intent"] == "CAPTURE"
    assert order["purchase_units"][0]["amount"] == {"currency_code": "EUR", "value": "27.00"}
    assert order["purchase_units"][0]["custom_id"] == checkout["payment_id"]
    assert headers["paypal-request-id"] == f"order-{checkout['payment_id']}"
    order_id = checkout["approval_url"].rsplit("=", 1)[1]

    not_yet = await client.post(
        f"/api/v1/payments/{checkout['payment_id']}/capture",
        json={"token": booking["manage_token"]},
    )
    fakes.paypal.approve(order_id)
    captured = await client.post(
        f"/api/v1/payments/{checkout['payment_id']}/capture",
        json={"token": booking["manage_token"]},
    )

    assert not_yet.status_code == 422
    assert not_yet.json()["code"] == "payment_provider_refused"
    assert captured.status_code == 200, captured.text
    assert captured.json()["status"] == "succeeded"
    assert captured.json()["provider_charge_ref"] is not None
    assert await booking_status(client, booking) == "confirmed"


async def test_the_approval_webhook_captures_and_the_capture_webhook_is_then_a_no_op(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession
) -> None:
    booking, checkout = await held_with_checkout(client, method="paypal")
    order_id = checkout["approval_url"].rsplit("=", 1)[1]

    approved = await post_paypal(client, fakes, fakes.paypal.approve(order_id))
    completed = await post_paypal(client, fakes, fakes.paypal.capture_completed(order_id))
    site_capture = await client.post(
        f"/api/v1/payments/{checkout['payment_id']}/capture",
        json={"token": booking["manage_token"]},
    )

    assert approved.json()["outcome"] == "applied"
    assert completed.json()["outcome"] == "ignored"
    assert site_capture.json()["status"] == "succeeded"  # already captured: no second capture
    captures = [r for r in fakes.paypal.requests if r[1].endswith("/capture")]
    assert len(captures) == 1
    assert await booking_status(client, booking) == "confirmed"


async def test_a_capture_completed_before_the_approval_event_settles_the_payment(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession
) -> None:
    booking, checkout = await held_with_checkout(client, method="paypal")
    order_id = checkout["approval_url"].rsplit("=", 1)[1]
    approval = fakes.paypal.approve(order_id)
    await client.post(
        f"/api/v1/payments/{checkout['payment_id']}/capture",
        json={"token": booking["manage_token"]},
    )

    completed = await post_paypal(client, fakes, fakes.paypal.capture_completed(order_id))
    late_approval = await post_paypal(client, fakes, approval)

    assert completed.json()["outcome"] == "ignored"
    assert late_approval.json()["outcome"] == "ignored"
    assert (await payment(session, checkout["payment_id"])).status == "succeeded"


async def test_an_event_paypal_does_not_vouch_for_is_refused(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession
) -> None:
    _, checkout = await held_with_checkout(client, method="paypal")
    order_id = checkout["approval_url"].rsplit("=", 1)[1]

    forged = await post_paypal(client, fakes, fakes.paypal.approve(order_id), forged=True)
    no_headers = await client.post("/api/v1/webhooks/paypal", json=fakes.paypal.approve(order_id))

    assert forged.status_code == no_headers.status_code == 400
    assert forged.json()["code"] == "invalid_webhook_signature"
    assert await count(session, ProviderEvent) == 0
    assert (await payment(session, checkout["payment_id"])).status == "requires_action"


async def test_a_paypal_refund_goes_to_the_capture(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    _, checkout = await held_with_checkout(client, method="paypal")
    order_id = checkout["approval_url"].rsplit("=", 1)[1]
    await post_paypal(client, fakes, fakes.paypal.approve(order_id))
    capture_id = (await payment(session, checkout["payment_id"])).provider_charge_ref

    refund = await client.post(
        f"/api/v1/payments/{checkout['payment_id']}/refunds",
        json={"amount_cents": 1050, "reason": "Geste commercial"},
        headers=await auth_headers(Role.manager),
    )

    assert refund.status_code == 201, refund.text
    [(_, path, body, headers)] = [r for r in fakes.paypal.requests if r[1].endswith("/refund")]
    assert path == f"/v2/payments/captures/{capture_id}/refund"
    assert body["amount"] == {"currency_code": "EUR", "value": "10.50"}
    assert headers["paypal-request-id"] == f"refund-{refund.json()['id']}"
    assert (await payment(session, checkout["payment_id"])).status == "partially_refunded"


async def test_paying_twice_in_two_tabs_refunds_the_second(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession
) -> None:
    from tests.payments.helpers import post_stripe, run_outbox

    massage, _ = await salon_with_deposit()
    booking = await hold(client, massage)
    by_card = (await pay_deposit(client, booking)).json()
    by_paypal = (await pay_deposit(client, booking, method="paypal")).json()

    await post_stripe(client, fakes.stripe.pay(by_card["client_secret"]))
    order_id = by_paypal["approval_url"].rsplit("=", 1)[1]
    await post_paypal(client, fakes, fakes.paypal.approve(order_id))
    await run_outbox()

    assert (await payment(session, by_card["payment_id"])).status == "succeeded"
    assert (await payment(session, by_paypal["payment_id"])).status == "refunded"
