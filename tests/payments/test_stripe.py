"""The online deposit with Stripe, end to end against the fake Stripe: slots, hold,
PaymentIntent, signed webhook, confirmed booking; and everything that can go wrong."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.payments.models import ProviderEvent
from tests.fakes.server import FakeProviders
from tests.payments.helpers import (
    A_WEEK_BEFORE,
    NINE,
    count,
    held_with_checkout,
    hold,
    pay_deposit,
    payment,
    post_stripe,
    salon_with_deposit,
    service_of,
    status_changes,
)


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(A_WEEK_BEFORE)


async def test_slot_hold_payment_intent_webhook_confirms_the_booking(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession
) -> None:
    massage, _ = await salon_with_deposit(price_cents=9000)
    slots = await client.get(
        "/api/v1/availability/slots",
        params={"service_ids": str(massage), "date_from": "2027-03-22", "date_to": "2027-03-22"},
    )
    assert NINE in [s["start"] for s in slots.json()["slots"]]
    booking = await hold(client, massage)
    assert booking["status"] == "pending_payment"

    started = await pay_deposit(client, booking)

    assert started.status_code == 201, started.text
    checkout = started.json()
    assert checkout["amount_cents"] == 2700  # 30 % of 90 €, from the booking, not the browser
    assert checkout["status"] == "requires_action"
    assert checkout["client_secret"].startswith("pi_")
    assert checkout["publishable_key"] == "pk_test_fake"
    [created] = fakes.stripe.calls("/v1/payment_intents")
    assert created["amount"] == "2700"
    assert created["currency"] == "eur"
    assert created["metadata"]["payment_id"] == checkout["payment_id"]

    answer = await post_stripe(client, fakes.stripe.pay(checkout["client_secret"]))

    assert answer.status_code == 200
    assert answer.json()["outcome"] == "applied"
    paid = await payment(session, checkout["payment_id"])
    assert paid.status == "succeeded"
    assert paid.provider_charge_ref is not None
    manage = await client.get(f"/api/v1/bookings/manage/{booking['manage_token']}")
    assert manage.json()["status"] == "confirmed"
    assert manage.json()["hold_expires_at"] is None


async def test_a_declined_card_leaves_the_hold_to_expire_and_frees_the_slot(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession
) -> None:
    booking, checkout = await held_with_checkout(client)

    answer = await post_stripe(client, fakes.stripe.decline(checkout["client_secret"]))

    assert answer.json()["outcome"] == "applied"
    failed = await payment(session, checkout["payment_id"])
    assert failed.status == "failed"
    assert failed.failure_code == "generic_decline"
    manage = await client.get(f"/api/v1/bookings/manage/{booking['manage_token']}")
    assert manage.json()["status"] == "pending_payment"

    clock.travel(timedelta(minutes=16))
    someone_else = await hold(
        client, service_of(booking), who={**booking_client(), "email": "b@example.fr"}
    )
    assert someone_else["start"] == NINE  # the abandoned hold gave its time back


def booking_client() -> dict[str, str]:
    return {"first_name": "Bea", "last_name": "Roux", "phone": "06 11 22 33 44"}


async def test_a_second_card_after_a_decline_still_confirms(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession
) -> None:
    booking, checkout = await held_with_checkout(client)
    await post_stripe(client, fakes.stripe.decline(checkout["client_secret"]))

    await post_stripe(client, fakes.stripe.pay(checkout["client_secret"]))

    assert (await payment(session, checkout["payment_id"])).status == "succeeded"
    manage = await client.get(f"/api/v1/bookings/manage/{booking['manage_token']}")
    assert manage.json()["status"] == "confirmed"


async def test_a_replayed_event_changes_nothing(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession
) -> None:
    _, checkout = await held_with_checkout(client)
    event = fakes.stripe.pay(checkout["client_secret"])

    first = await post_stripe(client, event)
    again = await post_stripe(client, event)

    assert first.json()["outcome"] == "applied"
    assert again.status_code == 200
    assert again.json()["outcome"] == "duplicate"
    assert await status_changes(session, checkout["payment_id"]) == ["succeeded"]
    assert await count(session, ProviderEvent) == 1


async def test_two_deliveries_at_the_same_moment_change_the_state_once(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession
) -> None:
    _, checkout = await held_with_checkout(client)
    event = fakes.stripe.pay(checkout["client_secret"])

    answers = await asyncio.gather(*(post_stripe(client, event) for _ in range(4)))

    assert all(a.status_code == 200 for a in answers)
    assert sorted(a.json()["outcome"] for a in answers) == ["applied"] + ["duplicate"] * 3
    assert await status_changes(session, checkout["payment_id"]) == ["succeeded"]


async def test_events_out_of_order_never_undo_a_payment(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession
) -> None:
    booking, checkout = await held_with_checkout(client)
    failed_first = fakes.stripe.decline(checkout["client_secret"])  # Stripe sent it first...
    succeeded = fakes.stripe.pay(checkout["client_secret"])

    await post_stripe(client, succeeded)
    late = await post_stripe(client, failed_first)  # ...but it arrives last

    assert late.json()["outcome"] == "ignored"
    assert (await payment(session, checkout["payment_id"])).status == "succeeded"
    manage = await client.get(f"/api/v1/bookings/manage/{booking['manage_token']}")
    assert manage.json()["status"] == "confirmed"


@pytest.mark.parametrize(
    ("how", "secret", "age"),
    [
        ("wrong secret", "whsec_not_ours", 0),
        ("too old", None, 301),
    ],
)
async def test_a_bad_signature_is_refused_and_stores_nothing(
    client: AsyncClient,
    fakes: FakeProviders,
    session: AsyncSession,
    how: str,
    secret: str | None,
    age: int,
) -> None:
    _, checkout = await held_with_checkout(client)
    event = fakes.stripe.pay(checkout["client_secret"])

    answer = await post_stripe(
        client, event, secret=secret, at=int(clock.utcnow().timestamp()) - age
    )

    assert answer.status_code == 400, how
    assert answer.json()["code"] == "invalid_webhook_signature"
    assert await count(session, ProviderEvent) == 0
    assert (await payment(session, checkout["payment_id"])).status == "requires_action"


async def test_a_tampered_body_is_refused(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession
) -> None:
    from tests.fakes.stripe import FakeStripe

    event = FakeStripe.event("payment_intent.succeeded", {"id": "pi_x", "status": "succeeded"})
    body, header = FakeStripe.signed(event, at=int(clock.utcnow().timestamp()))
    answer = await client.post(
        "/api/v1/webhooks/stripe",
        content=body.replace(b"pi_x", b"pi_y"),
        headers={"Stripe-Signature": header},
    )
    missing = await client.post("/api/v1/webhooks/stripe", content=body)

    assert answer.status_code == missing.status_code == 400
    assert await count(session, ProviderEvent) == 0


async def test_an_event_about_an_unknown_payment_is_stored_and_reported(
    client: AsyncClient, auth_headers: object, session: AsyncSession
) -> None:
    from tests.fakes.stripe import FakeStripe

    event = FakeStripe.event(
        "payment_intent.succeeded", {"id": "pi_unknown", "status": "succeeded", "amount": 100}
    )

    answer = await post_stripe(client, event)

    assert answer.status_code == 200
    assert answer.json()["outcome"] == "unmatched"
    assert await count(session, ProviderEvent, ProviderEvent.outcome == "unmatched") == 1


async def test_paying_again_returns_the_open_payment_and_idempotency_keys_replay(
    client: AsyncClient, fakes: FakeProviders
) -> None:
    massage, _ = await salon_with_deposit()
    booking = await hold(client, massage)

    first = await pay_deposit(client, booking)
    second = await pay_deposit(client, booking)
    keyed = [
        await client.post(
            "/api/v1/payments/deposits",
            json={
                "booking_id": booking["id"],
                "method": "stripe",
                "token": booking["manage_token"],
            },
            headers={"Idempotency-Key": "deposit-1"},
        )
        for _ in range(2)
    ]

    assert first.json()["payment_id"] == second.json()["payment_id"]
    assert second.json()["client_secret"] == first.json()["client_secret"]
    assert keyed[1].headers.get("Idempotent-Replayed") == "true"
    assert keyed[0].json() == keyed[1].json()
    assert len(fakes.stripe.calls("/v1/payment_intents")) == 1


async def test_a_deposit_needs_the_booking_link_or_its_owner(
    client: AsyncClient, fakes: FakeProviders
) -> None:
    massage, _ = await salon_with_deposit()
    booking = await hold(client, massage)
    other = await hold(client, massage, start="2027-03-22T14:00:00+01:00")

    anonymous = await client.post(
        "/api/v1/payments/deposits", json={"booking_id": booking["id"], "method": "stripe"}
    )
    wrong_link = await client.post(
        "/api/v1/payments/deposits",
        json={"booking_id": booking["id"], "method": "stripe", "token": other["manage_token"]},
    )

    assert anonymous.status_code == 404
    assert wrong_link.status_code == 403
    assert fakes.stripe.calls("/v1/payment_intents") == []


async def test_a_confirmed_or_paid_booking_has_no_deposit_to_pay(
    client: AsyncClient, fakes: FakeProviders
) -> None:
    booking, checkout = await held_with_checkout(client)
    await post_stripe(client, fakes.stripe.pay(checkout["client_secret"]))

    again = await pay_deposit(client, booking, method="paypal")

    assert again.status_code == 409
    assert again.json()["code"] == "deposit_already_paid"


async def test_stripe_down_answers_502_and_keeps_nothing(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession
) -> None:
    from app.payments.models import Payment

    massage, _ = await salon_with_deposit()
    booking = await hold(client, massage)
    fakes.stripe.down = True

    answer = await pay_deposit(client, booking)

    assert answer.status_code == 502
    assert answer.json()["code"] == "payment_provider_unavailable"
    assert await count(session, Payment) == 0


async def test_a_payment_landing_after_the_hold_expired_gets_the_booking_back(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession
) -> None:
    from app.bookings.tasks import expire_holds

    booking, checkout = await held_with_checkout(client)
    clock.travel(timedelta(minutes=16))
    assert await expire_holds() == 1

    await post_stripe(client, fakes.stripe.pay(checkout["client_secret"]))

    manage = await client.get(f"/api/v1/bookings/manage/{booking['manage_token']}")
    assert manage.json()["status"] == "confirmed"
    assert (await payment(session, checkout["payment_id"])).status == "succeeded"


async def test_a_payment_landing_after_someone_took_the_slot_is_refunded(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession
) -> None:
    from tests.payments.helpers import run_outbox

    booking, checkout = await held_with_checkout(client)
    clock.travel(timedelta(minutes=16))
    await hold(client, service_of(booking), who={**booking_client(), "email": "b@example.fr"})

    await post_stripe(client, fakes.stripe.pay(checkout["client_secret"]))
    await run_outbox()

    manage = await client.get(f"/api/v1/bookings/manage/{booking['manage_token']}")
    assert manage.json()["status"] == "cancelled"
    assert (await payment(session, checkout["payment_id"])).status == "refunded"
    [refund] = fakes.stripe.refunds.values()
    assert refund["amount"] == 2700


def test_stripe_signatures_follow_stripes_scheme() -> None:
    """Stripe's own published example: secret, timestamp and body give this header."""
    from app.integrations.stripe.webhooks import verify_stripe
    from app.payments.errors import InvalidWebhookSignature

    body = (
        b'{\n  "id": "evt_test_webhook",\n  "object": "event",\n  "data": { "object": '
        b'{ "id": "rdr_123", "object": "terminal.reader" } }\n}'
    )
    valid = "3bfab77baf5f7b6991a46c9b53b6547d7afc56148b10468fcad9f35c1992ffbd"
    clock.pin(datetime.fromtimestamp(1700000100, UTC))
    try:
        verify_stripe("whsec_test_secret", body=body, header=f"t=1700000000,v1={valid}")
        verify_stripe(
            "whsec_test_secret", body=body, header=f"t=1700000000,v1={'0' * 64},v1={valid}"
        )
        with pytest.raises(InvalidWebhookSignature):
            verify_stripe("whsec_test_secret", body=body, header=f"t=1700000000,v0={valid}")
        clock.pin(datetime.fromtimestamp(1700000301, UTC))
        with pytest.raises(InvalidWebhookSignature):
            verify_stripe("whsec_test_secret", body=body, header=f"t=1700000000,v1={valid}")
    finally:
        clock.pin(A_WEEK_BEFORE)


async def test_a_signed_event_we_cannot_read_is_kept_not_retried_forever(
    client: AsyncClient, session: AsyncSession
) -> None:
    event = {"id": "evt_odd", "type": "payment_intent.succeeded", "data": "not an object"}

    answer = await post_stripe(client, event)

    assert answer.status_code == 200
    assert answer.json()["outcome"] == "ignored"
    stored = await session.scalar(select(ProviderEvent))
    assert stored is not None
    assert stored.note is not None
    assert stored.note.startswith("unreadable")
