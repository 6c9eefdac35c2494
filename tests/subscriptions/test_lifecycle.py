"""A membership from subscription to its end, through the API and the fake Stripe: the first
invoice paid gives access (a covered booking costs nothing), a renewal opens the next period,
events out of order or twice change nothing they should not, pause and resume, plan change
with its proration, cancellation and the commitment."""

from __future__ import annotations

from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.integrations.console import console
from app.payments.models import ProviderEvent
from app.subscriptions.models import SubscriptionEvent
from tests.factories.auth import AuthHeaders, sign_up
from tests.factories.bookings import NINE, book_by_staff, facial_with_camille
from tests.factories.core import paris, run_outbox
from tests.factories.notifications import deliver_messages
from tests.factories.payments import post_stripe
from tests.fakes.server import FakeProviders
from tests.subscriptions.helpers import (
    again,
    make_plan,
    mine,
    post_all,
    subscribe,
    subscribed_and_paid,
)


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


@pytest.fixture
async def manager(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.manager)


async def test_subscribe_then_the_first_invoice_paid_makes_the_facial_free_with_no_deposit(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str], session: AsyncSession
) -> None:
    facial, _ = await facial_with_camille(6000)
    plan = await make_plan(client, manager, [facial])
    assert (
        fakes.stripe.prices[fakes.stripe.calls("/v1/prices")[-1] and list(fakes.stripe.prices)[-1]][
            "unit_amount"
        ]
        == 5900
    )
    ines = await sign_up(client, "ines.abo@example.fr", "Inès", "Martin")
    started = await subscribe(client, ines, plan)
    assert started["status"] == "incomplete"
    assert started["client_secret"].startswith("pi_")
    assert started["publishable_key"] == "pk_test_fake"
    created = fakes.stripe.calls("/v1/subscriptions")[-1]
    assert created["payment_behavior"] == "default_incomplete"
    assert [m["status"] for m in await mine(client, ines)] == ["incomplete"]

    from tests.subscriptions.helpers import stripe_ref

    ref = stripe_ref(fakes, started["subscription_id"])
    await post_all(client, fakes.stripe.first_payment(ref))
    [membership] = await mine(client, ines)
    assert membership["status"] == "active"
    assert [(e["granted"], e["remaining"]) for e in membership["entitlements"]] == [(1, 1)]
    assert membership["product_discount_percent"] == 10

    helene = UUID((await mine(client, ines))[0]["client_id"])
    booking = await book_by_staff(client, manager, [facial], NINE, helene)
    assert booking["items"][0]["covered_by"] == "subscription"
    assert (booking["total_cents"], booking["deposit_cents"]) == (0, 0)
    [membership] = await mine(client, ines)
    assert [(e["reserved"], e["remaining"]) for e in membership["entitlements"]] == [(1, 0)]
    second = await book_by_staff(client, manager, [facial], "2027-03-22T11:00:00+01:00", helene)
    assert second["items"][0]["covered_by"] is None  # one facial a month

    await run_outbox()
    await deliver_messages()
    welcome = [
        m for m in console.emails if m.to == "ines.abo@example.fr" and "abonnement" in m.subject
    ]
    assert [m.subject for m in welcome] == ["Bienvenue dans votre abonnement « Abonnement soins »"]
    assert "59,00\u00a0€ par mois" in welcome[0].text


async def test_events_in_the_order_that_left_others_incomplete_leave_it_active(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str]
) -> None:
    facial, _ = await facial_with_camille()
    plan = await make_plan(client, manager, [facial])
    ines = await sign_up(client, "ines.ordre@example.fr")
    await subscribed_and_paid(client, fakes, ines, plan, order="same_flow_left_incomplete_in_app")
    assert [m["status"] for m in await mine(client, ines)] == ["active"]


async def test_a_late_payment_failed_after_paid_changes_nothing_and_a_replay_is_stored_once(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str], session: AsyncSession
) -> None:
    facial, _ = await facial_with_camille()
    plan = await make_plan(client, manager, [facial])
    ines = await sign_up(client, "ines.tard@example.fr")
    ours, ref = await subscribed_and_paid(client, fakes, ines, plan)
    renewal = fakes.stripe.renew(ref)
    paid = next(e for e in renewal if e["type"] == "invoice.paid")
    failed = dict(paid, id="evt_late_failure", type="invoice.payment_failed")
    failed["created"] = paid["created"] - 1  # made before, delivered after
    await post_all(client, renewal)
    await post_all(client, [failed, paid])  # the late failure, then a replay
    [membership] = await mine(client, ines)
    assert membership["status"] == "active"
    stored = await session.scalar(
        select(func.count()).select_from(ProviderEvent).where(ProviderEvent.event_id == paid["id"])
    )
    assert stored == 1
    await run_outbox()
    failures = await session.scalar(
        select(func.count())
        .select_from(SubscriptionEvent)
        .where(
            SubscriptionEvent.subscription_id == UUID(ours),
            SubscriptionEvent.kind == "renewal_failed",
        )
    )
    assert failures == 0


async def test_a_renewal_paid_opens_the_next_period_with_what_the_plan_carries_over(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str]
) -> None:
    facial, _ = await facial_with_camille()
    plan = await make_plan(client, manager, [facial], carry_over=True, max_carry_over=1)
    ines = await sign_up(client, "ines.report@example.fr")
    _, ref = await subscribed_and_paid(client, fakes, ines, plan)
    [before] = await mine(client, ines)
    clock.pin(paris(2027, 4, 16, 8))  # the first period is over, unused
    await post_all(client, fakes.stripe.renew(ref))
    [after] = await mine(client, await again(client, "ines.report@example.fr"))
    assert after["current_period_start_at"] == before["current_period_end_at"]
    assert [(e["granted"], e["carried_in"], e["remaining"]) for e in after["entitlements"]] == [
        (1, 1, 2)
    ]


async def test_without_carry_over_the_next_period_starts_afresh(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str]
) -> None:
    facial, _ = await facial_with_camille()
    plan = await make_plan(client, manager, [facial])
    ines = await sign_up(client, "ines.frais@example.fr")
    _, ref = await subscribed_and_paid(client, fakes, ines, plan)
    clock.pin(paris(2027, 4, 16, 8))
    await post_all(client, fakes.stripe.renew(ref))
    [after] = await mine(client, await again(client, "ines.frais@example.fr"))
    assert [(e["granted"], e["carried_in"], e["remaining"]) for e in after["entitlements"]] == [
        (1, 0, 1)
    ]


async def test_a_failed_renewal_is_published_once_with_its_decline_code(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str], session: AsyncSession
) -> None:
    facial, _ = await facial_with_camille()
    plan = await make_plan(client, manager, [facial])
    ines = await sign_up(client, "ines.echec@example.fr")
    ours, ref = await subscribed_and_paid(client, fakes, ines, plan)
    events = fakes.stripe.renew(ref, decline_code="insufficient_funds")
    await post_all(client, events)
    failed = next(e for e in events if e["type"] == "invoice.payment_failed")
    again = dict(failed, id="evt_second_attempt")
    again["data"] = {"object": dict(failed["data"]["object"], attempt_count=2)}
    again["created"] = failed["created"] + 10
    await post_stripe(client, again)
    [membership] = await mine(client, ines)
    assert membership["status"] == "past_due"
    await run_outbox()
    rows = list(
        await session.scalars(
            select(SubscriptionEvent.detail).where(
                SubscriptionEvent.subscription_id == UUID(ours),
                SubscriptionEvent.kind == "renewal_failed",
            )
        )
    )
    assert [(r["decline_code"], r["amount_cents"]) for r in rows] == [("insufficient_funds", 5900)]


async def test_3d_secure_on_a_renewal_sends_the_link_to_pay_in_french(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str]
) -> None:
    facial, _ = await facial_with_camille()
    plan = await make_plan(client, manager, [facial])
    ines = await sign_up(client, "ines.3ds@example.fr")
    _, ref = await subscribed_and_paid(client, fakes, ines, plan)
    await post_all(client, fakes.stripe.renew(ref, decline_code="authentication_required"))
    await post_stripe(client, fakes.stripe.action_required(ref))
    await run_outbox()
    await deliver_messages()
    [mail] = [
        m for m in console.emails if m.to == "ines.3ds@example.fr" and "Confirmez" in m.subject
    ]
    url = fakes.stripe.invoices[fakes.stripe.subscriptions[ref]["latest_invoice"]][
        "hosted_invoice_url"
    ]
    assert url in mail.text
    assert "3-D Secure" in mail.text


async def test_paused_covers_nothing_and_charges_nothing_then_resumes(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str], session: AsyncSession
) -> None:
    facial, _ = await facial_with_camille()
    plan = await make_plan(client, manager, [facial])
    ines = await sign_up(client, "ines.pause@example.fr")
    ours, ref = await subscribed_and_paid(client, fakes, ines, plan)
    paused = await client.post(
        f"/api/v1/me/subscriptions/{ours}/pause", json={"months": 2}, headers=ines
    )
    assert paused.status_code == 200, paused.text
    assert paused.json()["status"] == "paused"
    assert paused.json()["entitlements"] == []
    assert fakes.stripe.subscriptions[ref]["pause_collection"]["behavior"] == "void"
    too_long = await client.post(
        f"/api/v1/me/subscriptions/{ours}/pause", json={"months": 2}, headers=ines
    )
    assert too_long.json()["code"] == "subscription_invalid_state"
    helene = UUID((await mine(client, ines))[0]["client_id"])
    booking = await book_by_staff(client, manager, [facial], NINE, helene)
    assert booking["items"][0]["covered_by"] is None
    resumed = await client.post(f"/api/v1/me/subscriptions/{ours}/resume", headers=ines)
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["status"] == "active"
    assert fakes.stripe.subscriptions[ref]["pause_collection"] is None


async def test_a_plan_change_states_its_proration(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str]
) -> None:
    facial, _ = await facial_with_camille()
    plan = await make_plan(client, manager, [facial])
    premium = await make_plan(client, manager, [facial], name="Premium", price_cents=8900)
    ines = await sign_up(client, "ines.change@example.fr")
    ours, ref = await subscribed_and_paid(client, fakes, ines, plan)
    clock.pin(paris(2027, 3, 30, 8))  # half the period left
    ines = await again(client, "ines.change@example.fr")
    changed = await client.post(
        f"/api/v1/me/subscriptions/{ours}/change-plan",
        json={"plan_id": premium["id"]},
        headers=ines,
    )
    assert changed.status_code == 200, changed.text
    stated = changed.json()["proration"]
    assert stated["behavior"] == "create_prorations"
    assert stated["net_cents"] == stated["charge_cents"] - stated["credit_cents"]
    assert 0 < stated["credit_cents"] < 5900
    assert 0 < stated["charge_cents"] < 8900
    assert stated["charge_cents"] * 5900 // 8900 in range(
        stated["credit_cents"] - 1, stated["credit_cents"] + 2
    )
    assert changed.json()["membership"]["plan_name"] == "Premium"
    sent = fakes.stripe.calls(f"/v1/subscriptions/{ref}")[-1]
    assert sent["proration_behavior"] == "create_prorations"


async def test_cancel_at_period_end_keeps_access_and_cancel_now_ends_it(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str]
) -> None:
    facial, _ = await facial_with_camille()
    plan = await make_plan(client, manager, [facial])
    ines = await sign_up(client, "ines.fin@example.fr")
    ours, ref = await subscribed_and_paid(client, fakes, ines, plan)
    later = await client.post(
        f"/api/v1/me/subscriptions/{ours}/cancel", json={"at_period_end": True}, headers=ines
    )
    assert later.status_code == 200, later.text
    assert (later.json()["status"], later.json()["cancel_at_period_end"]) == ("active", True)
    assert later.json()["next_invoice_at"] is None
    assert fakes.stripe.subscriptions[ref]["cancel_at_period_end"] is True
    await post_stripe(client, fakes.stripe.subscription_event(ref, "customer.subscription.deleted"))
    [ended] = await mine(client, ines)
    assert ended["status"] == "cancelled"
    await run_outbox()
    await deliver_messages()
    assert [
        m.subject
        for m in console.emails
        if m.to == "ines.fin@example.fr" and "résilié" in m.subject
    ] == ["Votre abonnement « Abonnement soins » est résilié"]


async def test_the_commitment_refuses_the_client_and_staff_override_needs_a_reason(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str], auth_headers: AuthHeaders
) -> None:
    facial, _ = await facial_with_camille()
    plan = await make_plan(client, manager, [facial], commitment_months=12)
    ines = await sign_up(client, "ines.engagee@example.fr")
    ours, ref = await subscribed_and_paid(client, fakes, ines, plan)
    [membership] = await mine(client, ines)
    assert (membership["commitment_end_date"], membership["can_cancel"]) == ("2028-03-15", False)
    refused = await client.post(
        f"/api/v1/me/subscriptions/{ours}/cancel", json={"at_period_end": False}, headers=ines
    )
    assert (refused.status_code, refused.json()["code"]) == (
        409,
        "subscription_commitment_not_over",
    )
    desk = await auth_headers(Role.receptionist)
    no_reason = await client.post(
        f"/api/v1/subscriptions/{ours}/cancel",
        json={"at_period_end": False, "override_commitment": True},
        headers=desk,
    )
    assert no_reason.json()["code"] == "subscription_override_needs_reason"
    done = await client.post(
        f"/api/v1/subscriptions/{ours}/cancel",
        json={"at_period_end": False, "override_commitment": True, "reason": "déménagement"},
        headers=desk,
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "cancelled"
    assert fakes.stripe.subscriptions[ref]["status"] == "canceled"
    detail = (await client.get(f"/api/v1/subscriptions/{ours}", headers=desk)).json()
    assert "ended" in [e["kind"] for e in detail["timeline"]]
    assert [i["status"] for i in detail["invoices"]] == ["paid"]
